"""The portal's roles, kept as auth groups so that administrators can see who holds which.

Each role's permissions are listed here as "app_label.codename". `sync_roles` gives each group
exactly these permissions; migrations that add models call it again, so it skips permissions
whose model does not exist yet.
"""

OPERATOR = "Operator"
SUPERVISOR = "Pengawas"
ADMINISTRATOR = "Administrator"


def _crud(model, actions=("add", "change", "delete", "view")):
    return [f"contracts.{action}_{model}" for action in actions]


# Citizens' reports: operators moderate their agency's, supervisors everyone's.
_MODERATE = ["participation.view_report", "participation.change_report"]

_OPERATOR_CONTRACTS = [
    *_crud("process"),
    *_crud("document"),
    *_crud("agencydocument"),
    *_crud("bidder"),
    *_crud("amendment"),
    *_crud("progressreport"),
    *_crud("plannedprogress"),
    *_crud("payment"),
    # Suppliers are shared by every agency: operators add them, administrators correct them.
    *_crud("supplier", ("add", "view")),
    "contracts.view_documenttype",
    "contracts.view_stagerequirement",
    "contracts.view_stageexemption",
    "contracts.view_auditentry",
    "imports.view_importrun",
    *_MODERATE,
]
_READ_EVERYTHING = [
    *[
        f"contracts.view_{model}"
        for model in [
            "process",
            "document",
            "agencydocument",
            "bidder",
            "amendment",
            "progressreport",
            "plannedprogress",
            "payment",
            "supplier",
            "documenttype",
            "stagerequirement",
            "stageexemption",
            "auditentry",
        ]
    ],
    "agencies.view_agency",
    "imports.view_importrun",
    "integrity.view_threshold",
]

ROLE_PERMISSIONS = {
    OPERATOR: [
        "agencies.view_agency",
        *_OPERATOR_CONTRACTS,
    ],
    SUPERVISOR: [*_READ_EVERYTHING, *_MODERATE],
    ADMINISTRATOR: [
        "agencies.add_agency",
        "agencies.change_agency",
        "agencies.view_agency",
        "agencies.add_user",
        "agencies.change_user",
        "agencies.view_user",
        # The place register and the location texts waiting to be mapped to it.
        *[
            f"agencies.{action}_{model}"
            for model in ["kecamatan", "desa", "placealias", "unresolvedplace"]
            for action in ("add", "change", "delete", "view")
        ],
        "auth.view_group",
        *_OPERATOR_CONTRACTS,
        *_crud("supplier", ("change", "delete")),
        *_crud("documenttype"),
        *_crud("stagerequirement"),
        *_crud("stageexemption"),
        "participation.delete_report",
        "integrity.add_threshold",
        "integrity.change_threshold",
        "integrity.delete_threshold",
        "integrity.view_threshold",
    ],
}


def sync_roles(apps, schema_editor=None):
    """Create the role groups and set their permissions; safe to run any number of times."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after `migrate` finishes; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
