"""Subscriptions with a search or a kecamatan get the key that equivalent follows share
(alerts.keys: a search by its words, a kecamatan by the register's name). Two subscriptions of
one address that become the same are merged: the confirmed (else the older) one stays."""

from django.db import migrations


def rekey(apps, schema_editor):
    from alerts.keys import subscription_key
    from contracts.kecamatan import _key as kecamatan_key

    Subscription = apps.get_model("alerts", "Subscription")
    Kecamatan = apps.get_model("agencies", "Kecamatan")
    register = dict(Kecamatan.objects.values_list("key", "name"))
    rows = Subscription.objects.filter(process__isnull=True).order_by(
        "subscriber_id", "confirmed_at", "created_at", "pk"
    )
    kept, changed, merged = {}, [], []
    for row in rows.iterator():
        params = dict(row.params)
        if "kecamatan" in params:
            found = register.get(kecamatan_key(params["kecamatan"]))
            params["kecamatan"] = found or params["kecamatan"]
        key = subscription_key(row.scope, params, None)
        if (row.subscriber_id, key) in kept:
            merged.append(row.pk)
            continue
        kept[(row.subscriber_id, key)] = row.pk
        if key != row.key or params != row.params:
            changed.append((row.pk, key, params))
    Subscription.objects.filter(pk__in=merged).delete()
    # Two steps: a new key may be another row's old one until that row is re-keyed too.
    for pk, _, _ in changed:
        Subscription.objects.filter(pk=pk).update(key=f"rekey-{pk}")
    for pk, key, params in changed:
        Subscription.objects.filter(pk=pk).update(key=key, params=params)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_subscription_confirmation_mailed_at"),
        ("agencies", "0010_constraint_messages"),
    ]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
