"""Database constraints that speak to the operator at the field they fix.

Django reports a failed CheckConstraint above the whole form ("Batasan “…” dilanggar" by
default). Each constraint an operator can meet carries a `violation_error_message` in plain
Indonesian, and a model with `ConstraintsAtFields` names the field each one belongs to, so the
form puts the message beside that field.
"""

from django.core.exceptions import ValidationError
from django.db import router


class ConstraintsAtFields:
    """A model mixin. `constraint_fields`: {constraint name: field name}, for the constraints
    whose error belongs beside one field; any other stays above the form (Django's way)."""

    constraint_fields = {}

    def validate_constraints(self, exclude=None):
        # Django's Model.validate_constraints, with a named constraint's errors at its field.
        using = router.db_for_write(type(self), instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    field = self.constraint_fields.get(constraint.name)
                    if field is None and error.code == "unique":
                        fields = getattr(constraint, "fields", ())
                        field = fields[0] if len(fields) == 1 else None
                    if field and not (exclude and field in exclude):
                        errors.setdefault(field, []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
