"""Permission shapes shared by the workspace's registers."""


class ReadOnlyAdminMixin:
    """Records of what happened: shown, never added, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
