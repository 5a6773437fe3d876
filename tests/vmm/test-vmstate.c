/* test-vmstate.c: saved state as data. A small example device is saved
 * and the exact bytes are checked, loaded back, loaded from every
 * truncated prefix (each must fail), and from streams with bad versions,
 * names, booleans and subsections. */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "vmm/bw-vmstate.h"
#include "vmm/bw-timer.h"

typedef struct
{
  guint8 mode;
  guint16 count;
} Channel;

typedef struct
{
  guint8 reg;
  guint16 divisor;
  guint32 status;
  guint64 ticks;
  gint32 offset;
  bool enabled;
  guint8 fifo[4];
  guint16 words[2];
  Channel ch[2];
  guint8 blob[3];
  BwTimer *timer;
  guint32 added_in_v2;
  /* subsection */
  bool has_extra;
  guint32 extra;
  /* derived, rebuilt by post_load */
  guint32 derived;
  gboolean fail_post_load;
} Example;

static const BwVmStateField channel_fields[] = {
  BW_VMSTATE_U8 (Channel, mode),
  BW_VMSTATE_U16 (Channel, count),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc channel_desc = {
  .name = "channel", .version = 1, .minimum_version = 1, .fields = channel_fields,
};

static gboolean
extra_needed (const void *opaque)
{
  return ((const Example *) opaque)->has_extra;
}

static const BwVmStateField extra_fields[] = {
  BW_VMSTATE_BOOL (Example, has_extra),
  BW_VMSTATE_U32 (Example, extra),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc extra_desc = {
  .name = "example/extra", .version = 1, .minimum_version = 1, .fields = extra_fields,
  .needed = extra_needed,
};

static gboolean
example_post_load (void *opaque, int version, GError **error)
{
  Example *e = opaque;
  if (e->fail_post_load)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "divisor %u is zero", e->divisor);
      return FALSE;
    }
  e->derived = e->divisor * 10u;
  return TRUE;
}

static const BwVmStateField example_fields[] = {
  BW_VMSTATE_U8 (Example, reg),
  BW_VMSTATE_U16 (Example, divisor),
  BW_VMSTATE_U32 (Example, status),
  BW_VMSTATE_U64 (Example, ticks),
  BW_VMSTATE_INT (Example, offset),
  BW_VMSTATE_BOOL (Example, enabled),
  BW_VMSTATE_U8_ARRAY (Example, fifo, 4),
  BW_VMSTATE_U16_ARRAY (Example, words, 2),
  BW_VMSTATE_STRUCT_ARRAY (Example, ch, Channel, 2, channel_desc),
  BW_VMSTATE_BUFFER (Example, blob, 3),
  BW_VMSTATE_TIMER (Example, timer),
  BW_VMSTATE_U32_V (Example, added_in_v2, 2),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc *const example_subsections[] = { &extra_desc, NULL };

static const BwVmStateDesc example_desc = {
  .name = "example", .version = 2, .minimum_version = 1, .fields = example_fields,
  .subsections = example_subsections, .post_load = example_post_load,
};

static void
nop_timer (void *opaque)
{
}

static void
example_init (Example *e, BwClock *clock)
{
  memset (e, 0, sizeof *e);
  e->timer = bw_timer_new (clock, nop_timer, e);
}

static void
example_fill (Example *e)
{
  e->reg = 0x12;
  e->divisor = 0x3456;
  e->status = 0x789abcde;
  e->ticks = G_GUINT64_CONSTANT (0x0102030405060708);
  e->offset = -2;
  e->enabled = true;
  memcpy (e->fifo, "\xa0\xa1\xa2\xa3", 4);
  e->words[0] = 0xb0b1;
  e->words[1] = 0xb2b3;
  e->ch[0] = (Channel) { 1, 0x1111 };
  e->ch[1] = (Channel) { 2, 0x2222 };
  memcpy (e->blob, "xyz", 3);
  bw_timer_mod (e->timer, 0x1000);
  e->added_in_v2 = 0xc0c1c2c3;
}

/* The stream example_fill() must produce, byte for byte. */
static const guint8 expected_v2[] = {
  7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', /* name */
  0, 0, 0, 2,                           /* version */
  0x12,                                 /* reg */
  0x34, 0x56,                           /* divisor */
  0x78, 0x9a, 0xbc, 0xde,               /* status */
  1, 2, 3, 4, 5, 6, 7, 8,               /* ticks */
  0xff, 0xff, 0xff, 0xfe,               /* offset -2 */
  1,                                    /* enabled */
  0xa0, 0xa1, 0xa2, 0xa3,               /* fifo */
  0xb0, 0xb1, 0xb2, 0xb3,               /* words */
  1, 0x11, 0x11, 2, 0x22, 0x22,         /* ch[0], ch[1] */
  'x', 'y', 'z',                        /* blob */
  0, 0, 0, 0, 0, 0, 0x10, 0,            /* timer expiry 0x1000 */
  0xc0, 0xc1, 0xc2, 0xc3,               /* added_in_v2 */
  0,                                    /* end (subsection not needed) */
};

START_TEST (test_exact_bytes)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_MANUAL);
  Example e;
  example_init (&e, clock);
  example_fill (&e);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  bw_vmstate_save (&example_desc, &e, out);
  ck_assert_uint_eq (out->len, sizeof expected_v2);
  ck_assert_mem_eq (out->data, expected_v2, sizeof expected_v2);
  bw_timer_free (e.timer);
}
END_TEST

START_TEST (test_round_trip)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_MANUAL);
  Example a, b;
  example_init (&a, clock);
  example_init (&b, clock);
  example_fill (&a);
  a.has_extra = true;
  a.extra = 0xdeadbeef;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  bw_vmstate_save (&example_desc, &a, out);
  /* The subsection follows the fields: marker, its own header, fields, end. */
  static const guint8 sub[] = { 1,    13,   'e',  'x',  'a',  'm',  'p', 'l', 'e', '/', 'e', 'x',
                                't',  'r',  'a',  0,    0,    0,    1,   1,   0xde, 0xad, 0xbe,
                                0xef, 0,    0 };
  ck_assert_uint_eq (out->len, sizeof expected_v2 - 1 + sizeof sub);
  ck_assert_mem_eq (out->data + sizeof expected_v2 - 1, sub, sizeof sub);

  g_autoptr (GError) error = NULL;
  ck_assert (bw_vmstate_load_exact (&example_desc, &b, out->data, out->len, &error));
  ck_assert_uint_eq (b.reg, 0x12);
  ck_assert_uint_eq (b.divisor, 0x3456);
  ck_assert_uint_eq (b.status, 0x789abcde);
  ck_assert_uint_eq (b.ticks, G_GUINT64_CONSTANT (0x0102030405060708));
  ck_assert_int_eq (b.offset, -2);
  ck_assert (b.enabled);
  ck_assert_mem_eq (b.fifo, a.fifo, 4);
  ck_assert_uint_eq (b.words[1], 0xb2b3);
  ck_assert_uint_eq (b.ch[1].count, 0x2222);
  ck_assert_mem_eq (b.blob, "xyz", 3);
  ck_assert_int_eq (bw_timer_get_expire (b.timer), 0x1000);
  ck_assert_uint_eq (b.added_in_v2, 0xc0c1c2c3);
  ck_assert (b.has_extra);
  ck_assert_uint_eq (b.extra, 0xdeadbeef);
  ck_assert_uint_eq (b.derived, 0x3456 * 10u); /* post_load ran */

  /* Saving the loaded copy gives the same bytes again. */
  g_autoptr (GByteArray) again = g_byte_array_new ();
  bw_vmstate_save (&example_desc, &b, again);
  ck_assert_uint_eq (again->len, out->len);
  ck_assert_mem_eq (again->data, out->data, out->len);

  /* A stopped timer round-trips as stopped. */
  bw_timer_del (a.timer);
  g_byte_array_set_size (out, 0);
  bw_vmstate_save (&example_desc, &a, out);
  ck_assert (bw_vmstate_load_exact (&example_desc, &b, out->data, out->len, NULL));
  ck_assert (!bw_timer_pending (b.timer));
  bw_timer_free (a.timer);
  bw_timer_free (b.timer);
}
END_TEST

START_TEST (test_truncated_rejected)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_MANUAL);
  Example a, b;
  example_init (&a, clock);
  example_init (&b, clock);
  example_fill (&a);
  a.has_extra = true;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  bw_vmstate_save (&example_desc, &a, out);
  for (guint len = 0; len < out->len; len++)
    {
      g_autoptr (GError) error = NULL;
      ck_assert_msg (!bw_vmstate_load (&example_desc, &b, out->data, len, NULL, &error),
                     "a stream cut to %u of %u bytes was accepted", len, out->len);
      ck_assert_msg (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_TRUNCATED),
                     "cut to %u: %s", len, error->message);
    }
  /* Trailing bytes: fine for load (consumed says where it ended), an
   * error for load_exact. */
  g_byte_array_append (out, (const guint8 *) "!", 1);
  gsize consumed = 0;
  ck_assert (bw_vmstate_load (&example_desc, &b, out->data, out->len, &consumed, NULL));
  ck_assert_uint_eq (consumed, out->len - 1);
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, out->data, out->len, NULL));
  bw_timer_free (a.timer);
  bw_timer_free (b.timer);
}
END_TEST

static GByteArray *
expected_copy (void)
{
  GByteArray *copy = g_byte_array_new ();
  g_byte_array_append (copy, expected_v2, sizeof expected_v2);
  return copy;
}

START_TEST (test_versions)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_MANUAL);
  Example b;
  example_init (&b, clock);
  g_autoptr (GError) error = NULL;

  /* Version 3 is newer than this build knows. */
  g_autoptr (GByteArray) v3 = expected_copy ();
  v3->data[11] = 3;
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, v3->data, v3->len, &error));
  ck_assert (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_VERSION));
  g_clear_error (&error);

  /* Version 0 is below minimum_version. */
  v3->data[11] = 0;
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, v3->data, v3->len, &error));
  ck_assert (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_VERSION));
  g_clear_error (&error);

  /* Version 1 has no added_in_v2: drop those 4 bytes, the field keeps
   * its value. */
  g_autoptr (GByteArray) v1 = expected_copy ();
  v1->data[11] = 1;
  g_byte_array_remove_range (v1, sizeof expected_v2 - 5, 4);
  b.added_in_v2 = 77;
  ck_assert (bw_vmstate_load_exact (&example_desc, &b, v1->data, v1->len, &error));
  ck_assert_uint_eq (b.added_in_v2, 77);
  ck_assert_uint_eq (b.divisor, 0x3456);
  bw_timer_free (b.timer);
}
END_TEST

START_TEST (test_bad_content)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_MANUAL);
  Example b;
  example_init (&b, clock);
  g_autoptr (GError) error = NULL;

  g_autoptr (GByteArray) s = expected_copy ();
  s->data[1] = 'E'; /* another section name */
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, s->data, s->len, &error));
  ck_assert (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_NAME));
  g_clear_error (&error);

  g_autoptr (GByteArray) t = expected_copy ();
  t->data[31] = 2; /* enabled is a bool */
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, t->data, t->len, &error));
  ck_assert (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID));
  g_clear_error (&error);

  g_autoptr (GByteArray) u = expected_copy ();
  u->data[u->len - 1] = 7; /* neither end nor subsection */
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, u->data, u->len, &error));
  ck_assert (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID));
  g_clear_error (&error);

  /* An unknown subsection. */
  g_autoptr (GByteArray) v = expected_copy ();
  g_byte_array_set_size (v, v->len - 1);
  static const guint8 unknown[] = { 1, 3, 'z', 'z', 'z', 0, 0, 0, 1, 0, 0 };
  g_byte_array_append (v, unknown, sizeof unknown);
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, v->data, v->len, &error));
  ck_assert (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_SUBSECTION));
  g_clear_error (&error);

  /* A negative timer expiry other than -1. */
  g_autoptr (GByteArray) w = expected_copy ();
  memset (w->data + 49, 0xff, 7);
  w->data[56] = 0xfe;
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, w->data, w->len, &error));
  ck_assert (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID));
  g_clear_error (&error);

  /* post_load refuses. */
  g_autoptr (GByteArray) x = expected_copy ();
  b.fail_post_load = TRUE;
  ck_assert (!bw_vmstate_load_exact (&example_desc, &b, x->data, x->len, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "example"));
  ck_assert_ptr_nonnull (strstr (error->message, "divisor"));
  bw_timer_free (b.timer);
}
END_TEST

/* Garbage never crashes the loader: mutated streams load or fail with an
 * error (run under ASan in CI to catch bad reads). Fixed seed. */
START_TEST (test_mutations)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_MANUAL);
  Example a, b;
  example_init (&a, clock);
  example_init (&b, clock);
  example_fill (&a);
  a.has_extra = true;
  g_autoptr (GByteArray) good = g_byte_array_new ();
  bw_vmstate_save (&example_desc, &a, good);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261121);
  guint ok = 0, failed = 0;
  for (guint i = 0; i < 5000; i++)
    {
      g_autoptr (GByteArray) s = g_byte_array_new ();
      g_byte_array_append (s, good->data, good->len);
      guint flips = g_rand_int_range (rand, 1, 4);
      for (guint f = 0; f < flips; f++)
        s->data[g_rand_int_range (rand, 0, s->len)] = (guint8) g_rand_int_range (rand, 0, 256);
      if (g_rand_boolean (rand))
        g_byte_array_set_size (s, g_rand_int_range (rand, 0, s->len + 1));
      g_autoptr (GError) error = NULL;
      if (bw_vmstate_load_exact (&example_desc, &b, s->data, s->len, &error))
        ok++;
      else
        {
          ck_assert_ptr_nonnull (error);
          failed++;
        }
    }
  ck_assert_uint_gt (ok, 0);
  ck_assert_uint_gt (failed, 0);
  bw_timer_free (a.timer);
  bw_timer_free (b.timer);
}
END_TEST

START_TEST (test_check_helper)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_MANUAL);
  Example e;
  example_init (&e, clock);
  example_fill (&e);
  e.has_extra = true;
  e.extra = 42;
  g_autoptr (GError) error = NULL;
  GByteArray *saved = NULL;
  ck_assert_msg (bw_vmstate_check (&example_desc, &e, &saved, &error), "%s",
                 error ? error->message : "");
  ck_assert_uint_eq (saved->len, sizeof expected_v2 - 1 + 26);
  g_byte_array_unref (saved);
  ck_assert_uint_eq (e.divisor, 0x3456); /* back where it started */
  ck_assert_uint_eq (e.extra, 42);
  ck_assert_int_eq (bw_timer_get_expire (e.timer), 0x1000);

  /* A device that refuses its own saved state fails the check. */
  e.fail_post_load = TRUE;
  ck_assert (!bw_vmstate_check (&example_desc, &e, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "does not load back"));
  bw_timer_free (e.timer);
}
END_TEST

START_TEST (test_validate)
{
  g_autoptr (GError) error = NULL;
  ck_assert (bw_vmstate_desc_validate (&example_desc, &error));

  static const BwVmStateField dup_fields[] = {
    BW_VMSTATE_U8 (Example, reg),
    BW_VMSTATE_U8 (Example, reg),
    BW_VMSTATE_END_OF_FIELDS,
  };
  static const BwVmStateDesc dup = { .name = "dup", .version = 1, .fields = dup_fields };
  ck_assert (!bw_vmstate_desc_validate (&dup, &error));
  g_clear_error (&error);

  static const BwVmStateField late_fields[] = {
    BW_VMSTATE_U8_V (Example, reg, 5),
    BW_VMSTATE_END_OF_FIELDS,
  };
  static const BwVmStateDesc late = { .name = "late", .version = 1, .fields = late_fields };
  ck_assert (!bw_vmstate_desc_validate (&late, &error));
  ck_assert (g_error_matches (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_VERSION));
  g_clear_error (&error);

  static const BwVmStateDesc minv = { .name = "minv", .version = 1, .minimum_version = 2,
                                      .fields = dup_fields + 1 };
  ck_assert (!bw_vmstate_desc_validate (&minv, &error));
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("vmstate");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_exact_bytes);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_truncated_rejected);
  tcase_add_test (tc, test_versions);
  tcase_add_test (tc, test_bad_content);
  tcase_add_test (tc, test_mutations);
  tcase_add_test (tc, test_check_helper);
  tcase_add_test (tc, test_validate);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
