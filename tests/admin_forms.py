"""Fill an admin change form the way a browser would: every field as the page shows it."""


def _field_values(form):
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif hasattr(value, "isoformat"):
            data[key] = value.isoformat()
        elif hasattr(field, "queryset") and hasattr(value, "pk"):
            data[key] = str(value.pk)
        elif name.startswith("upload_files_"):
            continue
        else:
            data[key] = str(value)
    return data


def form_data(response, **overrides):
    """POST data of an admin add/change page, with `overrides` applied (None removes a key)."""
    context = response.context
    data = _field_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value() or 0)
        for form in formset.forms:
            data.update(_field_values(form))
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
