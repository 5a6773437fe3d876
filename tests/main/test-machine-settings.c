/* test-machine-settings.c: the machine settings file (NAME.bwvm): round
 * trips, schema validation, upgrade from version 1, unknown XML kept,
 * atomic writes with -prev, and errors for broken files. */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "app/main/bw-machine-settings.h"
#include "app/main/bw-paths.h"
#include "app/main/bw-settings-error.h"
#include "app/main/bw-settings-schema.h"
#include "bw-test.h"
#include "main-test-util.h"

static char *tmp;

static void
setup (void)
{
  tmp = test_tmp_home ();
}

static void
teardown (void)
{
  test_rm_rf (tmp);
  g_clear_pointer (&tmp, g_free);
}

static BwMachineSettings *
load_ok (const char *path)
{
  GError *error = NULL;
  BwMachineSettings *s = bw_machine_settings_load (path, &error);
  ck_assert_msg (s != NULL, "load %s: %s", path, error ? error->message : "");
  return s;
}

static void
save_ok (BwMachineSettings *s, const char *path)
{
  GError *error = NULL;
  ck_assert_msg (bw_machine_settings_save (s, path, &error), "save %s: %s", path,
                 error ? error->message : "");
}

static void
validate_ok (const char *path)
{
  GError *error = NULL;
  ck_assert_msg (bw_settings_schema_validate_file (path, &error), "schema: %s",
                 error ? error->message : "");
}

/* Count the nodes an XPath expression selects in a file; prefix "b" is our
 * namespace, "x" the fixtures' plugin namespace. */
static int
xpath_count (const char *path, const char *expr)
{
  xmlDoc *doc = xmlReadFile (path, NULL, XML_PARSE_NONET);
  ck_assert_ptr_nonnull (doc);
  xmlXPathContext *ctx = xmlXPathNewContext (doc);
  xmlXPathRegisterNs (ctx, BAD_CAST "b", BAD_CAST BW_SETTINGS_NAMESPACE);
  xmlXPathRegisterNs (ctx, BAD_CAST "x", BAD_CAST "https://example.org/plugin");
  xmlXPathObject *obj = xmlXPathEvalExpression (BAD_CAST expr, ctx);
  ck_assert_msg (obj != NULL, "bad XPath %s", expr);
  int n = obj->nodesetval ? obj->nodesetval->nodeNr : 0;
  xmlXPathFreeObject (obj);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return n;
}

START_TEST (round_trip_every_field)
{
  g_autoptr (BwMachineSettings) s = test_full_settings ();
  gsize len = 0;
  g_autofree char *data = bw_machine_settings_to_data (s, &len);
  GError *error = NULL;
  g_autoptr (BwMachineSettings) back = bw_machine_settings_load_from_data (data, len, "mem", &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (back->loaded_version, BW_SETTINGS_FORMAT_VERSION);
  ck_assert_msg (bw_machine_settings_equal (s, back), "round trip changed the settings");

  /* Spot checks that do not rely on _equal being right. */
  ck_assert_int_eq (bw_hardware_get_scale_mode (back->hardware), BW_SCALE_MODE_FIXED);
  ck_assert_uint_eq (bw_hardware_get_scale_percent (back->hardware), 150);
  ck_assert_str_eq (back->name, "Full <&> \"machine\" é");
  ck_assert_str_eq (back->description, s->description);
  ck_assert_uint_eq (back->hardware->memory_mib, 3072);
  ck_assert_int_eq (back->hardware->boot_order[1], BW_BOOT_DEVICE_FLOPPY);
  ck_assert_str_eq (back->hardware->cmdline, s->hardware->cmdline);
  ck_assert_uint_eq (back->hardware->serial_ports[2].io_base, 0x2e0);
  ck_assert (back->hardware->serial_ports[1].server);
  ck_assert_ptr_null (back->hardware->network_adapters[7].mac);
  ck_assert_int_eq (back->last_state_change, G_GINT64_CONSTANT (1763760000654321));
  ck_assert_uint_eq (bw_machine_settings_count_snapshots (back), 4);
  BwSnapshot *cur = bw_machine_settings_find_snapshot (back, back->current_snapshot);
  ck_assert_ptr_nonnull (cur);
  ck_assert_str_eq (cur->name, "Updated again");
  ck_assert_str_eq (cur->parent->name, "Updated");
  ck_assert_ptr_eq (cur->parent->parent, back->first_snapshot);
  ck_assert_int_eq (back->first_snapshot->time_stamp, G_GINT64_CONSTANT (1700000000123456));
  ck_assert_uint_eq (back->first_snapshot->hardware->memory_mib, 1024);

  /* Writing what was read gives the same bytes. */
  gsize len2 = 0;
  g_autofree char *data2 = bw_machine_settings_to_data (back, &len2);
  ck_assert_uint_eq (len, len2);
  ck_assert_str_eq (data, data2);
}
END_TEST

/* _equal must notice a change of any single field, or the round trip test
 * above would prove nothing. */
typedef void (*Mutator) (BwMachineSettings *s);
#define MUT(name, body) static void name (BwMachineSettings *s) { body; }
MUT (m_uuid, g_free (s->uuid); s->uuid = g_uuid_string_random ())
MUT (m_name, g_free (s->name); s->name = g_strdup ("other"))
MUT (m_desc, g_clear_pointer (&s->description, g_free))
MUT (m_state, s->state = BW_MACHINE_STATE_ABORTED)
MUT (m_state_file, g_clear_pointer (&s->state_file, g_free))
MUT (m_time, s->last_state_change++)
MUT (m_current, g_free (s->current_snapshot); s->current_snapshot = g_strdup (s->first_snapshot->uuid))
MUT (m_os, g_free (s->hardware->os_type); s->hardware->os_type = g_strdup ("Other"))
MUT (m_mem, s->hardware->memory_mib++)
MUT (m_cpus, s->hardware->cpu_count++)
MUT (m_accel, s->hardware->acceleration = BW_ACCELERATION_AUTO)
MUT (m_fw, s->hardware->firmware = BW_FIRMWARE_BIOS)
MUT (m_boot, s->hardware->boot_order[3] = BW_BOOT_DEVICE_NONE)
MUT (m_vram, s->hardware->vram_mib++)
MUT (m_scale_mode, s->hardware->scale_mode = BW_SCALE_MODE_WINDOW)
MUT (m_scale_pct, s->hardware->scale_percent = 125)
MUT (m_kernel, g_clear_pointer (&s->hardware->kernel, g_free))
MUT (m_initrd, g_clear_pointer (&s->hardware->initrd, g_free))
MUT (m_cmdline, g_clear_pointer (&s->hardware->cmdline, g_free))
MUT (m_ctrl_name, BwStorageController *c = s->hardware->storage_controllers->pdata[1];
     g_free (c->name); c->name = g_strdup ("SATA"))
MUT (m_ctrl_count, g_ptr_array_remove_index (s->hardware->storage_controllers, 1))
MUT (m_att_port, BwStorageController *c = s->hardware->storage_controllers->pdata[1];
     ((BwStorageAttachment *) c->attachments->pdata[0])->port = 1)
MUT (m_att_dev, BwStorageController *c = s->hardware->storage_controllers->pdata[1];
     ((BwStorageAttachment *) c->attachments->pdata[0])->device = 0)
MUT (m_att_type, BwStorageController *c = s->hardware->storage_controllers->pdata[0];
     ((BwStorageAttachment *) c->attachments->pdata[1])->type = BW_DEVICE_TYPE_HDD)
MUT (m_att_medium, BwStorageController *c = s->hardware->storage_controllers->pdata[0];
     BwStorageAttachment *a = c->attachments->pdata[1]; g_clear_pointer (&a->medium, g_free))
MUT (m_ser_en, s->hardware->serial_ports[3].enabled = TRUE)
MUT (m_ser_io, s->hardware->serial_ports[0].io_base = 0x3e8)
MUT (m_ser_irq, s->hardware->serial_ports[0].irq = 5)
MUT (m_ser_mode, s->hardware->serial_ports[1].mode = BW_SERIAL_MODE_FILE)
MUT (m_ser_path, g_free (s->hardware->serial_ports[0].path);
     s->hardware->serial_ports[0].path = g_strdup ("/x"))
MUT (m_ser_server, s->hardware->serial_ports[1].server = FALSE)
MUT (m_nic_en, s->hardware->network_adapters[5].enabled = TRUE)
MUT (m_nic_type, s->hardware->network_adapters[0].type = BW_NIC_TYPE_82545EM)
MUT (m_nic_mac, g_free (s->hardware->network_adapters[0].mac);
     s->hardware->network_adapters[0].mac = g_strdup ("080027ABCDEE"))
MUT (m_nic_att, s->hardware->network_adapters[3].attachment = BW_NET_ATTACHMENT_BRIDGED)
MUT (m_snap_name, g_free (s->first_snapshot->name); s->first_snapshot->name = g_strdup ("x"))
MUT (m_snap_desc, g_clear_pointer (&s->first_snapshot->description, g_free))
MUT (m_snap_time, s->first_snapshot->time_stamp++)
MUT (m_snap_state, BwSnapshot *a = s->first_snapshot->children->pdata[0];
     g_clear_pointer (&a->state_file, g_free))
MUT (m_snap_hw, BwSnapshot *a = s->first_snapshot->children->pdata[0];
     BwSnapshot *a1 = a->children->pdata[0]; a1->hardware->vram_mib = 1)
MUT (m_snap_tree, g_ptr_array_remove_index (s->first_snapshot->children, 1))

static const Mutator mutators[] = {
  m_uuid, m_name, m_desc, m_state, m_state_file, m_time, m_current, m_os, m_mem, m_cpus,
  m_accel, m_fw, m_boot, m_vram, m_scale_mode, m_scale_pct, m_kernel, m_initrd, m_cmdline, m_ctrl_name, m_ctrl_count,
  m_att_port, m_att_dev, m_att_type, m_att_medium, m_ser_en, m_ser_io, m_ser_irq, m_ser_mode,
  m_ser_path, m_ser_server, m_nic_en, m_nic_type, m_nic_mac, m_nic_att, m_snap_name,
  m_snap_desc, m_snap_time, m_snap_state, m_snap_hw, m_snap_tree,
};

START_TEST (equal_sees_every_field)
{
  g_autoptr (BwMachineSettings) s = test_full_settings ();
  g_autoptr (BwMachineSettings) same = bw_machine_settings_copy (s);
  ck_assert (bw_machine_settings_equal (s, same));
  for (guint i = 0; i < G_N_ELEMENTS (mutators); i++)
    {
      g_autoptr (BwMachineSettings) c = bw_machine_settings_copy (s);
      mutators[i] (c);
      ck_assert_msg (!bw_machine_settings_equal (s, c), "mutation %u not noticed", i);
      /* ...and the change survives the file too. */
      gsize len = 0;
      g_autofree char *data = bw_machine_settings_to_data (c, &len);
      g_autoptr (BwMachineSettings) back = bw_machine_settings_load_from_data (data, len, "m", NULL);
      if (back != NULL)   /* some mutations make the settings invalid */
        ck_assert_msg (bw_machine_settings_equal (c, back), "mutation %u lost in the file", i);
    }
}
END_TEST

START_TEST (written_files_validate)
{
  g_autoptr (BwMachineSettings) full = test_full_settings ();
  g_autofree char *p1 = g_build_filename (tmp, "Full", "Full.bwvm", NULL);
  save_ok (full, p1);
  validate_ok (p1);
  ck_assert_int_eq (xpath_count (p1, "//b:Snapshot"), 4);

  g_autoptr (BwMachineSettings) fresh = bw_machine_settings_new ("Fresh", NULL);
  g_autofree char *p2 = g_build_filename (tmp, "Fresh", "Fresh.bwvm", NULL);
  save_ok (fresh, p2);
  validate_ok (p2);
}
END_TEST

START_TEST (schema_rejects_bad_values)
{
  g_autoptr (BwMachineSettings) s = test_full_settings ();
  g_autofree char *data = bw_machine_settings_to_data (s, NULL);
  g_autofree char *bad = g_strdup (data);
  char *p = strstr (bad, "acceleration=\"software\"");
  ck_assert_ptr_nonnull (p);
  memcpy (p, "acceleration=\"softwarX\"", strlen ("acceleration=\"softwarX\""));
  GError *error = NULL;
  ck_assert (!bw_settings_schema_validate_data (bad, strlen (bad), "bad.bwvm", &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_SCHEMA);
  ck_assert_msg (g_str_has_prefix (error->message, "bad.bwvm:"), "%s", error->message);
  g_clear_error (&error);
  /* An unknown element in our own namespace is not in the schema either. */
  g_autofree char *extra = g_strdup (data);
  char *m = strstr (extra, "<Description>");
  ck_assert_ptr_nonnull (m);
  g_autofree char *joined = g_strdup_printf ("%.*s<Bogus/>%s", (int) (m - extra), extra, m);
  ck_assert (!bw_settings_schema_validate_data (joined, strlen (joined), "x", &error));
  g_clear_error (&error);
}
END_TEST

START_TEST (upgrade_from_version_1)
{
  g_autofree char *fixture = test_source_path ("tests/main/fixtures/machine-v1.bwvm");
  g_autofree char *original = test_read_file (fixture);
  g_autofree char *path = g_build_filename (tmp, "Legacy", "Legacy.bwvm", NULL);
  g_mkdir_with_parents (g_path_get_dirname (path), 0755);
  test_write_file (path, original, -1);

  g_autoptr (BwMachineSettings) s = load_ok (path);
  ck_assert_uint_eq (s->loaded_version, 1);
  ck_assert_str_eq (s->uuid, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  ck_assert_uint_eq (s->hardware->memory_mib, 2048);
  ck_assert_int_eq (s->hardware->boot_order[0], BW_BOOT_DEVICE_DISK);
  ck_assert_int_eq (s->hardware->boot_order[1], BW_BOOT_DEVICE_DVD);
  ck_assert_int_eq (s->hardware->boot_order[2], BW_BOOT_DEVICE_NONE);
  ck_assert_int_eq (s->hardware->acceleration, BW_ACCELERATION_KVM);
  ck_assert_uint_eq (s->first_snapshot->hardware->memory_mib, 1024);
  ck_assert_int_eq (s->first_snapshot->hardware->boot_order[0], BW_BOOT_DEVICE_DVD);
  /* The old layout's attributes are understood, not kept as unknown. */
  ck_assert (bw_xml_extras_is_empty (s->hardware->extras));
  /* Older than display scaling: scaled to the window at 100 %. */
  ck_assert_int_eq (bw_hardware_get_scale_mode (s->hardware), BW_SCALE_MODE_WINDOW);
  ck_assert_uint_eq (bw_hardware_get_scale_percent (s->hardware), 100);

  /* No backup until the first rewrite. */
  g_autofree char *backup = g_strconcat (path, "-v1.bak", NULL);
  ck_assert (!g_file_test (backup, G_FILE_TEST_EXISTS));
  save_ok (s, path);
  ck_assert (g_file_test (backup, G_FILE_TEST_EXISTS));
  g_autofree char *kept = test_read_file (backup);
  ck_assert_str_eq (kept, original);
  validate_ok (path);
  ck_assert_int_eq (xpath_count (path, "/b:BoxwoodMachine[@version='2']"), 1);
  ck_assert_int_eq (xpath_count (path, "//b:Memory[@sizeMiB='2048']"), 1);
  ck_assert_int_eq (xpath_count (path, "//@sizeKiB"), 0);
  ck_assert_int_eq (xpath_count (path, "/b:BoxwoodMachine/b:Machine/b:Hardware/"
                                       "b:Display[@scaleMode='window'][@scalePercent='100']"), 1);

  g_autoptr (BwMachineSettings) again = load_ok (path);
  ck_assert_uint_eq (again->loaded_version, 2);
  ck_assert (bw_machine_settings_equal (s, again));

  /* A later save does not overwrite the backup of the original. */
  again->hardware->memory_mib = 512;
  save_ok (again, path);
  g_autofree char *kept2 = test_read_file (backup);
  ck_assert_str_eq (kept2, original);
}
END_TEST

/* Names that only version 2 knows, found in a version 1 file, are not
 * kept as unknown: the rewrite would hold them twice (found by
 * fuzz-settings). */
START_TEST (version_1_with_version_2_names)
{
  const char *text =
    "<BoxwoodMachine xmlns=\"" BW_SETTINGS_NAMESPACE "\" version=\"1\">\n"
    "<Machine uuid=\"0f8fad5b-d9cb-469f-a165-70867728950e\" name=\"M\">\n"
    "<Hardware osType=\"Other\"><Memory sizeKiB=\"65536\" sizeMiB=\"8\"/>\n"
    "<Boot order=\"net\"><Order position=\"1\" device=\"dvd\"/></Boot>\n"
    "</Hardware></Machine></BoxwoodMachine>\n";
  GError *error = NULL;
  g_autoptr (BwMachineSettings) s = bw_machine_settings_load_from_data (text, strlen (text), "m", &error);
  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (s->hardware->memory_mib, 64);
  ck_assert_int_eq (s->hardware->boot_order[0], BW_BOOT_DEVICE_NET);
  ck_assert (bw_xml_extras_is_empty (s->hardware->extras));
  gsize len = 0;
  g_autofree char *data = bw_machine_settings_to_data (s, &len);
  g_autoptr (BwMachineSettings) back = bw_machine_settings_load_from_data (data, len, "m2", &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  ck_assert (bw_machine_settings_equal (s, back));
}
END_TEST

START_TEST (unknown_xml_preserved)
{
  g_autofree char *fixture = test_source_path ("tests/main/fixtures/machine-extras.bwvm");
  g_autoptr (BwMachineSettings) s = load_ok (fixture);
  ck_assert (!bw_xml_extras_is_empty (s->extras));
  ck_assert (!bw_xml_extras_is_empty (s->hardware->extras));

  g_autofree char *out = g_build_filename (tmp, "Extras", "Extras.bwvm", NULL);
  s->hardware->memory_mib = 1536;      /* a real change, then rewrite */
  save_ok (s, out);

  const char *expect[] = {
    "/b:BoxwoodMachine[@x:rootNote='kept on the root']",
    "/b:BoxwoodMachine/x:RootExtension[@flavour='vanilla']/x:Inner[.='text & more']",
    "/b:BoxwoodMachine/b:Machine[@x:owner='alice'][@futureMachineAttr='42']",
    "/b:BoxwoodMachine/b:Machine/x:MachineExtension/x:Deep/x:Deeper[@level='3']",
    "/b:BoxwoodMachine/b:Machine/b:FutureGroups/b:Group[@name='/work']",
    "//b:Machine/b:Hardware[@x:hwNote='hw']",
    "//b:Hardware/b:CPU[@futureCpuFlag='nested'][@count='2']",
    "//b:Hardware/b:Memory[@sizeMiB='1536']/x:Balloon[@target='512']",
    "//b:Boot/b:Order[@position='1'][@device='disk'][@x:orderNote='first']",
    "//b:Hardware/b:FutureAudio[@driver='pulse']",
    "//b:Hardware/x:HardwareExtension[@a='1']",
    "//b:StorageController[@name='IDE'][@x:ctrl='c']/b:AttachedDevice[@x:cache='none']",
    "//b:UART/b:Port[@slot='1'][@x:portNote='p']",
    "//b:Network/b:Adapter[@slot='0'][@x:speed='1000']/x:PortForward[@rule='ssh']",
  };
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    ck_assert_msg (xpath_count (out, expect[i]) == 1, "lost: %s", expect[i]);

  /* Nothing is duplicated by a second round. */
  g_autoptr (BwMachineSettings) again = load_ok (out);
  ck_assert (bw_machine_settings_equal (s, again));
  save_ok (again, out);
  ck_assert_int_eq (xpath_count (out, "//x:Balloon"), 1);
  ck_assert_int_eq (xpath_count (out, "//b:FutureAudio"), 1);
  ck_assert_int_eq (xpath_count (out, "//@futureCpuFlag"), 1);
}
END_TEST

START_TEST (foreign_xml_validates)
{
  g_autofree char *fixture = test_source_path ("tests/main/fixtures/machine-foreign.bwvm");
  validate_ok (fixture);
  g_autoptr (BwMachineSettings) s = load_ok (fixture);
  g_autofree char *out = g_build_filename (tmp, "Foreign", "Foreign.bwvm", NULL);
  save_ok (s, out);
  validate_ok (out);
  ck_assert_int_eq (xpath_count (out, "//b:Machine/x:Note[.='kept']"), 1);
  ck_assert_int_eq (xpath_count (out, "//b:Hardware/x:Tuning"), 1);
  ck_assert_int_eq (xpath_count (out, "//b:CPU[@x:pin='0-1']"), 1);
}
END_TEST

START_TEST (previous_file_kept)
{
  g_autofree char *path = g_build_filename (tmp, "P", "P.bwvm", NULL);
  g_autofree char *prev = g_strconcat (path, "-prev", NULL);
  g_autofree char *tmpfile = g_strconcat (path, ".tmp", NULL);
  g_autoptr (BwMachineSettings) s = bw_machine_settings_new ("P", "DOS");
  s->hardware->memory_mib = 16;
  save_ok (s, path);
  ck_assert (!g_file_test (prev, G_FILE_TEST_EXISTS));
  s->hardware->memory_mib = 32;
  save_ok (s, path);
  g_autoptr (BwMachineSettings) old = load_ok (prev);
  ck_assert_uint_eq (old->hardware->memory_mib, 16);
  g_autoptr (BwMachineSettings) cur = load_ok (path);
  ck_assert_uint_eq (cur->hardware->memory_mib, 32);
  s->hardware->memory_mib = 64;
  save_ok (s, path);
  g_autoptr (BwMachineSettings) old2 = load_ok (prev);
  ck_assert_uint_eq (old2->hardware->memory_mib, 32);
  ck_assert (!g_file_test (tmpfile, G_FILE_TEST_EXISTS));
  validate_ok (prev);

  /* Main file gone (a crash of an older writer, a user's mistake): the
   * loader reads -prev and says so. */
  g_unlink (path);
  g_autoptr (BwMachineSettings) fb = load_ok (path);
  ck_assert (fb->loaded_from_prev);
  ck_assert_uint_eq (fb->hardware->memory_mib, 32);
}
END_TEST

/* A writer killed at any moment leaves a complete file: a child saves in
 * a loop, the parent kills it with SIGKILL after a random delay, then
 * loads. Whatever the timing, the file must load. */
START_TEST (killed_writer_leaves_readable_file)
{
  g_autofree char *path = g_build_filename (tmp, "K", "K.bwvm", NULL);
  g_autoptr (BwMachineSettings) s = test_full_settings ();
  save_ok (s, path);
  for (int round = 0; round < 25; round++)
    {
      pid_t pid = fork ();
      ck_assert_int_ge (pid, 0);
      if (pid == 0)
        {
          for (guint i = 0;; i++)
            {
              s->hardware->memory_mib = 100 + i % 1000;
              g_free (s->description);
              s->description = g_strnfill (1 + (i * 977) % 20000, 'd');
              if (!bw_machine_settings_save (s, path, NULL))
                _exit (3);
            }
        }
      g_usleep (g_random_int_range (0, 30000));
      kill (pid, SIGKILL);
      int status = 0;
      waitpid (pid, &status, 0);
      ck_assert_msg (WIFSIGNALED (status), "writer failed on its own (status %d)", status);
      g_autoptr (BwMachineSettings) got = load_ok (path);
      ck_assert (!got->loaded_from_prev);
      ck_assert_uint_ge (got->hardware->memory_mib, 100);
      validate_ok (path);
    }
}
END_TEST

START_TEST (invalid_settings_not_saved)
{
  g_autofree char *path = g_build_filename (tmp, "V", "V.bwvm", NULL);
  g_autoptr (BwMachineSettings) s = bw_machine_settings_new ("V", NULL);
  save_ok (s, path);
  g_autofree char *before = test_read_file (path);
  s->hardware->memory_mib = 1;
  GError *error = NULL;
  ck_assert (!bw_machine_settings_save (s, path, &error));
  ck_assert_msg (strstr (error->message, "memory") && strstr (error->message, path),
                 "%s", error->message);
  g_clear_error (&error);
  s->hardware->memory_mib = 64;
  s->description = g_strdup ("bell\a");
  ck_assert (!bw_machine_settings_save (s, path, &error));
  ck_assert_msg (strstr (error->message, "control character 0x07"), "%s", error->message);
  g_clear_error (&error);
  g_autofree char *after = test_read_file (path);
  ck_assert_str_eq (before, after);
}
END_TEST

/* Load `text` from a file and expect an error naming the file, `line`
 * and containing `fault`. */
static void
expect_error (const char *text, int code, int line, const char *fault)
{
  g_autofree char *path = g_build_filename (tmp, "broken.bwvm", NULL);
  test_write_file (path, text, -1);
  GError *error = NULL;
  g_autoptr (BwMachineSettings) s = bw_machine_settings_load (path, &error);
  ck_assert_msg (s == NULL, "loaded a broken file: %s", text);
  ck_assert_msg (error->domain == BW_SETTINGS_ERROR && error->code == code,
                 "code %d, wanted %d: %s", error->code, code, error->message);
  g_autofree char *prefix = g_strdup_printf ("%s:%d: ", path, line);
  ck_assert_msg (g_str_has_prefix (error->message, prefix), "'%s' does not start with '%s'",
                 error->message, prefix);
  ck_assert_msg (strstr (error->message, fault) != NULL, "'%s' lacks '%s'", error->message,
                 fault);
  g_clear_error (&error);
}

#define HEAD "<?xml version=\"1.0\"?>\n<BoxwoodMachine xmlns=\"" BW_SETTINGS_NAMESPACE "\" version=\"2\">\n"
#define MACHINE "<Machine uuid=\"0f8fad5b-d9cb-469f-a165-70867728950e\" name=\"B\">\n"

START_TEST (broken_files_name_path_and_line)
{
  expect_error (HEAD MACHINE "<Hardware osType=\"Other\">\n<Memory sizeMiB=\"0\"/>\n"
                "</Hardware></Machine></BoxwoodMachine>\n",
                BW_SETTINGS_ERROR_INVALID, 5, "sizeMiB=\"0\" is out of range");
  expect_error (HEAD MACHINE "<Hardware osType=\"Other\">\n\n<CPU acceleration=\"warp\"/>\n"
                "</Hardware></Machine></BoxwoodMachine>\n",
                BW_SETTINGS_ERROR_INVALID, 6, "unknown acceleration \"warp\"");
  expect_error (HEAD "<Machine name=\"B\">\n<Hardware osType=\"Other\"/></Machine></BoxwoodMachine>",
                BW_SETTINGS_ERROR_INVALID, 3, "lacks the attribute uuid");
  expect_error (HEAD MACHINE "<Hardware osType=\"Other\">\n<UART><Port slot=\"5\"/></UART>\n"
                "</Hardware></Machine></BoxwoodMachine>\n",
                BW_SETTINGS_ERROR_INVALID, 5, "slot=\"5\" is out of range");
  expect_error (HEAD MACHINE "</BoxwoodMachine>\n", BW_SETTINGS_ERROR_PARSE, 4, "");
  expect_error ("<?xml version=\"1.0\"?>\n<BoxwoodMachine xmlns=\"" BW_SETTINGS_NAMESPACE
                "\" version=\"3\"/>\n", BW_SETTINGS_ERROR_VERSION, 2, "version 3");
  expect_error ("<?xml version=\"1.0\"?>\n\n<Other/>\n", BW_SETTINGS_ERROR_INVALID, 3,
                "expected <BoxwoodMachine>");
  expect_error (HEAD MACHINE "</Machine></BoxwoodMachine>\n", BW_SETTINGS_ERROR_INVALID, 3,
                "has no <Hardware>");
  expect_error ("<?xml version=\"1.0\"?>\n<!DOCTYPE BoxwoodMachine [ <!ENTITY e \"x\"> ]>\n"
                "<BoxwoodMachine/>\n", BW_SETTINGS_ERROR_PARSE, 2, "document type");
}
END_TEST

START_TEST (truncated_files_fail_cleanly)
{
  g_autoptr (BwMachineSettings) s = test_full_settings ();
  gsize len = 0;
  g_autofree char *data = bw_machine_settings_to_data (s, &len);
  g_autofree char *path = g_build_filename (tmp, "T.bwvm", NULL);

  /* The half file: an error with the path and a line number. */
  test_write_file (path, data, len / 2);
  GError *error = NULL;
  ck_assert_ptr_null (bw_machine_settings_load (path, &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_PARSE);
  g_autofree char *prefix = g_strconcat (path, ":", NULL);
  ck_assert_msg (g_str_has_prefix (error->message, prefix), "%s", error->message);
  int line = atoi (error->message + strlen (prefix));
  ck_assert_msg (line > 1, "no line in: %s", error->message);
  g_clear_error (&error);

  /* Every shorter prefix fails, none crashes; an empty file too. */
  for (gsize cut = 0; cut < len - 2; cut += 3)
    {
      g_autoptr (BwMachineSettings) t = bw_machine_settings_load_from_data (data, cut, "t", &error);
      ck_assert_msg (t == NULL, "prefix of %zu bytes loaded", cut);
      ck_assert_ptr_nonnull (error);
      g_clear_error (&error);
    }
}
END_TEST

/* The fuzzer's seed corpus, replayed in every build: what loads must
 * write back and load again unchanged. */
START_TEST (corpus_round_trips)
{
  g_autofree char *dir = test_source_path ("tests/main/corpus-settings");
  GDir *d = g_dir_open (dir, 0, NULL);
  ck_assert_ptr_nonnull (d);
  const char *n;
  guint loaded = 0;
  while ((n = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, n, NULL);
      gsize len = 0;
      g_autofree char *data = NULL;
      ck_assert (g_file_get_contents (path, &data, &len, NULL));
      GError *error = NULL;
      g_autoptr (BwMachineSettings) s = bw_machine_settings_load_from_data (data, len, n, &error);
      if (s == NULL)
        {
          ck_assert_msg (g_str_has_prefix (error->message, n), "%s", error->message);
          g_clear_error (&error);
          continue;
        }
      loaded++;
      gsize len2 = 0;
      g_autofree char *text = bw_machine_settings_to_data (s, &len2);
      g_autoptr (BwMachineSettings) back = bw_machine_settings_load_from_data (text, len2, n, &error);
      ck_assert_msg (back != NULL, "%s: %s", n, error ? error->message : "");
      ck_assert_msg (bw_machine_settings_equal (s, back), "%s changed in a round trip", n);
    }
  g_dir_close (d);
  ck_assert_uint_ge (loaded, 5);
}
END_TEST

START_TEST (machine_folders_made_on_demand)
{
  GError *error = NULL;
  g_autofree char *path = bw_paths_machine_settings_file (NULL, "Demo", &error);
  g_autofree char *expected = g_build_filename (tmp, "Boxwood VMs", "Demo", "Demo.bwvm", NULL);
  ck_assert_str_eq (path, expected);
  g_autoptr (BwMachineSettings) s = bw_machine_settings_new ("Demo", "Debian_64");
  save_ok (s, path);
  g_autofree char *logs = bw_paths_machine_logs_dir (path, FALSE, NULL);
  g_autofree char *snaps = bw_paths_machine_snapshots_dir (path, FALSE, NULL);
  ck_assert (!g_file_test (logs, G_FILE_TEST_EXISTS));
  ck_assert (!g_file_test (snaps, G_FILE_TEST_EXISTS));
  g_autofree char *logs2 = bw_paths_machine_logs_dir (path, TRUE, &error);
  ck_assert_str_eq (logs, logs2);
  ck_assert (g_file_test (logs, G_FILE_TEST_IS_DIR));
  ck_assert (!g_file_test (snaps, G_FILE_TEST_EXISTS));
  g_autofree char *snaps2 = bw_paths_machine_snapshots_dir (path, TRUE, &error);
  ck_assert (g_file_test (snaps, G_FILE_TEST_IS_DIR));
  ck_assert (g_str_has_suffix (snaps, "/Boxwood VMs/Demo/Snapshots"));

  ck_assert_ptr_null (bw_paths_machine_settings_file (NULL, "a/b", &error));
  g_clear_error (&error);
  ck_assert_ptr_null (bw_paths_machine_settings_file (NULL, "..", &error));
  g_clear_error (&error);
  g_autofree char *abs = bw_paths_absolute ("x/../y/./z", "/base");
  ck_assert_str_eq (abs, "/base/y/z");
}
END_TEST

/* Display scaling: a version 2 file from before it existed loads with
 * the defaults and validates; the values are range-checked on read, by
 * the schema and by _validate. */
START_TEST (display_scaling)
{
  const char *head =
    "<BoxwoodMachine xmlns=\"" BW_SETTINGS_NAMESPACE "\" version=\"2\">\n"
    "<Machine uuid=\"0f8fad5b-d9cb-469f-a165-70867728950e\" name=\"M\" state=\"PoweredOff\">\n"
    "<Hardware osType=\"Other\">";
  const char *tail = "</Hardware></Machine></BoxwoodMachine>\n";
  const struct { const char *display; gboolean ok; BwScaleMode mode; guint pct; } cases[] = {
    { "<Display vramMiB=\"16\"/>", TRUE, BW_SCALE_MODE_WINDOW, 100 },
    { "", TRUE, BW_SCALE_MODE_WINDOW, 100 },
    { "<Display vramMiB=\"16\" scaleMode=\"fixed\" scalePercent=\"200\"/>", TRUE,
      BW_SCALE_MODE_FIXED, 200 },
    { "<Display scaleMode=\"window\" scalePercent=\"125\"/>", TRUE, BW_SCALE_MODE_WINDOW, 125 },
    { "<Display scaleMode=\"stretch\"/>", FALSE, 0, 0 },
    { "<Display scalePercent=\"99\"/>", FALSE, 0, 0 },
    { "<Display scalePercent=\"201\"/>", FALSE, 0, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (head, cases[i].display, tail, NULL);
      GError *error = NULL;
      g_autoptr (BwMachineSettings) s
          = bw_machine_settings_load_from_data (text, strlen (text), "scale.bwvm", &error);
      if (!cases[i].ok)
        {
          ck_assert_msg (s == NULL, "case %u loaded", i);
          ck_assert_msg (g_str_has_prefix (error->message, "scale.bwvm:"), "%s", error->message);
          ck_assert_msg (strstr (error->message, "scale") != NULL, "%s", error->message);
          g_clear_error (&error);
          continue;
        }
      ck_assert_msg (s != NULL, "case %u: %s", i, error ? error->message : "");
      ck_assert_int_eq (bw_hardware_get_scale_mode (s->hardware), cases[i].mode);
      ck_assert_uint_eq (bw_hardware_get_scale_percent (s->hardware), cases[i].pct);
      ck_assert (bw_xml_extras_is_empty (s->hardware->extras));
      ck_assert_msg (bw_settings_schema_validate_data (text, strlen (text), "s", &error), "%s",
                     error ? error->message : "");
      gsize len = 0;
      g_autofree char *data = bw_machine_settings_to_data (s, &len);
      ck_assert_msg (bw_settings_schema_validate_data (data, len, "w", &error), "%s",
                     error ? error->message : "");
    }
  /* The schema knows only the two modes. */
  g_autofree char *bad = g_strconcat (head, "<Display scaleMode=\"stretch\"/>", tail, NULL);
  GError *error = NULL;
  ck_assert (!bw_settings_schema_validate_data (bad, strlen (bad), "bad", &error));
  g_clear_error (&error);
  /* _validate refuses what the loader would refuse. */
  g_autoptr (BwMachineSettings) m = bw_machine_settings_new ("V", NULL);
  m->hardware->scale_percent = 250;
  ck_assert (!bw_machine_settings_validate (m, &error));
  ck_assert_msg (strstr (error->message, "scale factor") != NULL, "%s", error->message);
  g_clear_error (&error);
}
END_TEST

START_TEST (defaults_from_os_type)
{
  g_autoptr (BwMachineSettings) w = bw_machine_settings_new ("W", "windows11_64");
  ck_assert_str_eq (w->hardware->os_type, "Windows11_64");
  ck_assert_uint_eq (w->hardware->memory_mib, 4096);
  ck_assert_uint_eq (w->hardware->vram_mib, 128);
  ck_assert_uint_eq (w->hardware->cpu_count, 1);
  ck_assert_int_eq (w->hardware->scale_mode, BW_SCALE_MODE_WINDOW);
  ck_assert_uint_eq (w->hardware->scale_percent, 100);
  ck_assert_int_eq (w->state, BW_MACHINE_STATE_POWERED_OFF);
  ck_assert_uint_eq (w->hardware->storage_controllers->len, 1);
  ck_assert (w->hardware->network_adapters[0].enabled);
  ck_assert_uint_eq (w->hardware->serial_ports[1].io_base, 0x2f8);
  ck_assert_uint_eq (w->hardware->serial_ports[1].irq, 3);
  ck_assert (g_uuid_string_is_valid (w->uuid));
  GError *error = NULL;
  ck_assert_msg (bw_machine_settings_validate (w, &error), "%s", error ? error->message : "");
  g_autoptr (BwMachineSettings) o = bw_machine_settings_new ("O", "NoSuchOS");
  ck_assert_str_eq (o->hardware->os_type, "Other");
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("machine-settings");
  TCase *tc = tcase_create ("core");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, round_trip_every_field);
  tcase_add_test (tc, equal_sees_every_field);
  tcase_add_test (tc, written_files_validate);
  tcase_add_test (tc, schema_rejects_bad_values);
  tcase_add_test (tc, upgrade_from_version_1);
  tcase_add_test (tc, version_1_with_version_2_names);
  tcase_add_test (tc, unknown_xml_preserved);
  tcase_add_test (tc, foreign_xml_validates);
  tcase_add_test (tc, previous_file_kept);
  tcase_add_test (tc, killed_writer_leaves_readable_file);
  tcase_add_test (tc, invalid_settings_not_saved);
  tcase_add_test (tc, broken_files_name_path_and_line);
  tcase_add_test (tc, truncated_files_fail_cleanly);
  tcase_add_test (tc, corpus_round_trips);
  tcase_add_test (tc, machine_folders_made_on_demand);
  tcase_add_test (tc, display_scaling);
  tcase_add_test (tc, defaults_from_os_type);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (suite ());
}
