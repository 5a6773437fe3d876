/* bw-machine-list.c: GListModel of the service's machines. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-machine-list.h"

struct _BwMachineList
{
  GObject parent_instance;
  BwClient *client;
  GPtrArray *items;    /* of BwMachineItem*, owned */
  GHashTable *by_uuid; /* uuid -> BwMachineItem*, borrowed */
};

static void bw_machine_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BwMachineList, bw_machine_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      bw_machine_list_model_init))

static GType
get_item_type (GListModel *model)
{
  return BW_TYPE_MACHINE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return BW_MACHINE_LIST (model)->items->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  BwMachineList *self = BW_MACHINE_LIST (model);
  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
bw_machine_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

BwMachineItem *
bw_machine_list_find (BwMachineList *self, const char *uuid, guint *position)
{
  BwMachineItem *item = g_hash_table_lookup (self->by_uuid, uuid);
  if (item != NULL && position != NULL)
    g_ptr_array_find (self->items, item, position);
  return item;
}

static void
append (BwMachineList *self, BwMachineItem *item)
{
  g_hash_table_insert (self->by_uuid, (gpointer)bw_machine_item_get_uuid (item), item);
  g_ptr_array_add (self->items, item);
}

static void
on_registered (BwClient *client, const char *uuid, const char *name, BwMachineList *self)
{
  if (bw_machine_list_find (self, uuid, NULL) != NULL)
    return;
  g_autofree char *state = bw_client_get_machine_state (client, uuid, NULL, NULL);
  append (self, bw_machine_item_new (client, uuid, name, state ? state : "poweroff", NULL));
  g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
}

static void
on_unregistered (BwClient *client, const char *uuid, BwMachineList *self)
{
  guint pos;
  BwMachineItem *item = bw_machine_list_find (self, uuid, &pos);
  if (item == NULL)
    return;
  g_hash_table_remove (self->by_uuid, uuid);
  g_ptr_array_remove_index (self->items, pos);
  g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
}

static void
on_changed (BwClient *client, const char *uuid, BwMachineList *self)
{
  BwMachineItem *item = bw_machine_list_find (self, uuid, NULL);
  if (item != NULL)
    bw_machine_item_reload (item);
}

static void
on_state_changed (BwClient *client, const char *uuid, const char *state, BwMachineList *self)
{
  BwMachineItem *item = bw_machine_list_find (self, uuid, NULL);
  if (item != NULL)
    bw_machine_item_set_state (item, state);
}

static void
clear (BwMachineList *self)
{
  guint n = self->items->len;
  g_hash_table_remove_all (self->by_uuid);
  g_ptr_array_set_size (self->items, 0);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

gboolean
bw_machine_list_set_client (BwMachineList *self, BwClient *client, GError **error)
{
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  clear (self);
  if (client == NULL)
    return TRUE;

  g_signal_connect (client, "machine-registered", G_CALLBACK (on_registered), self);
  g_signal_connect (client, "machine-unregistered", G_CALLBACK (on_unregistered), self);
  g_signal_connect (client, "machine-changed", G_CALLBACK (on_changed), self);
  g_signal_connect (client, "machine-state-changed", G_CALLBACK (on_state_changed), self);

  g_autoptr (GPtrArray) machines = bw_client_list_machines (client, error);
  if (machines == NULL)
    return FALSE;
  for (guint i = 0; i < machines->len; i++)
    {
      BwClientMachine *m = g_ptr_array_index (machines, i);
      append (self, bw_machine_item_new (client, m->uuid, m->name, m->state, m->error));
    }
  if (self->items->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->items->len);
  return TRUE;
}

BwClient *
bw_machine_list_get_client (BwMachineList *self)
{
  return self->client;
}

BwMachineList *
bw_machine_list_new (void)
{
  return g_object_new (BW_TYPE_MACHINE_LIST, NULL);
}

static void
bw_machine_list_dispose (GObject *object)
{
  BwMachineList *self = BW_MACHINE_LIST (object);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (bw_machine_list_parent_class)->dispose (object);
}

static void
bw_machine_list_finalize (GObject *object)
{
  BwMachineList *self = BW_MACHINE_LIST (object);
  g_hash_table_unref (self->by_uuid);
  g_ptr_array_unref (self->items);
  G_OBJECT_CLASS (bw_machine_list_parent_class)->finalize (object);
}

static void
bw_machine_list_class_init (BwMachineListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bw_machine_list_dispose;
  G_OBJECT_CLASS (klass)->finalize = bw_machine_list_finalize;
}

static void
bw_machine_list_init (BwMachineList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
}
