"""The staff groups (Agents, Supervisors, Managers) with the permissions of
`helpdesk.roles.GROUP_PERMISSIONS`, the one list the tests check."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from helpdesk.roles import ROLE_GROUPS, apply_role_permissions


def create_staff_groups(apps, schema_editor):
    # Permissions are normally created after the last migration (post_migrate); make the core's
    # now so the groups can be given them. The historical models are used for the rows.
    create_permissions(
        global_apps.get_app_config("helpdesk"),
        verbosity=0,
        using=schema_editor.connection.alias,
        apps=apps,
    )
    apply_role_permissions(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )


def remove_staff_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("helpdesk", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_staff_groups, remove_staff_groups),
    ]
