/* test-ui-vm-input.c: the keycode -> PS/2 set-2 table and the key state
 * (auto-repeat filter, release on focus loss) of the VM window. */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "ui/vm/bw-vm-key-state.h"
#include "ui/vm/bw-vm-keymap.h"

/* Every key of a 105-key (ISO) PC keyboard, by evdev code, with its set-2
 * make code as the keyboard documentation gives it; E0-prefixed keys
 * marked. Break = (E0) F0 code. */
static const struct
{
  guint evdev;
  guint8 code;
  gboolean ext;
} iso105[] = {
  { 1, 0x76 },  { 59, 0x05 },  { 60, 0x06 },  { 61, 0x04 },  { 62, 0x0C },  { 63, 0x03 },
  { 64, 0x0B }, { 65, 0x83 },  { 66, 0x0A },  { 67, 0x01 },  { 68, 0x09 },  { 87, 0x78 },
  { 88, 0x07 }, { 70, 0x7E },                                                   /* Scroll */
  { 41, 0x0E }, { 2, 0x16 },   { 3, 0x1E },   { 4, 0x26 },   { 5, 0x25 },   { 6, 0x2E },
  { 7, 0x36 },  { 8, 0x3D },   { 9, 0x3E },   { 10, 0x46 },  { 11, 0x45 },  { 12, 0x4E },
  { 13, 0x55 }, { 14, 0x66 },  { 15, 0x0D },  { 16, 0x15 },  { 17, 0x1D },  { 18, 0x24 },
  { 19, 0x2D }, { 20, 0x2C },  { 21, 0x35 },  { 22, 0x3C },  { 23, 0x43 },  { 24, 0x44 },
  { 25, 0x4D }, { 26, 0x54 },  { 27, 0x5B },  { 28, 0x5A },  { 58, 0x58 },  { 30, 0x1C },
  { 31, 0x1B }, { 32, 0x23 },  { 33, 0x2B },  { 34, 0x34 },  { 35, 0x33 },  { 36, 0x3B },
  { 37, 0x42 }, { 38, 0x4B },  { 39, 0x4C },  { 40, 0x52 },  { 43, 0x5D },  { 42, 0x12 },
  { 86, 0x61 }, { 44, 0x1A },  { 45, 0x22 },  { 46, 0x21 },  { 47, 0x2A },  { 48, 0x32 },
  { 49, 0x31 }, { 50, 0x3A },  { 51, 0x41 },  { 52, 0x49 },  { 53, 0x4A },  { 54, 0x59 },
  { 29, 0x14 }, { 56, 0x11 },  { 57, 0x29 },
  { 125, 0x1F, TRUE }, { 100, 0x11, TRUE }, { 126, 0x27, TRUE }, { 127, 0x2F, TRUE },
  { 97, 0x14, TRUE },
  /* Navigation block and arrows. */
  { 110, 0x70, TRUE }, { 102, 0x6C, TRUE }, { 104, 0x7D, TRUE }, { 111, 0x71, TRUE },
  { 107, 0x69, TRUE }, { 109, 0x7A, TRUE }, { 103, 0x75, TRUE }, { 105, 0x6B, TRUE },
  { 108, 0x72, TRUE }, { 106, 0x74, TRUE },
  /* Keypad. */
  { 69, 0x77 }, { 98, 0x4A, TRUE }, { 55, 0x7C }, { 74, 0x7B }, { 71, 0x6C }, { 72, 0x75 },
  { 73, 0x7D }, { 78, 0x79 }, { 75, 0x6B }, { 76, 0x73 }, { 77, 0x74 }, { 79, 0x69 },
  { 80, 0x72 }, { 81, 0x7A }, { 96, 0x5A, TRUE }, { 82, 0x70 }, { 83, 0x71 },
};

/* The Japanese keys (106/109-key layouts). */
static const struct
{
  guint evdev;
  guint8 code;
  gboolean ext;
} intl[] = {
  { 124, 0x6A }, { 89, 0x51 }, { 94, 0x67 }, { 92, 0x64 }, { 93, 0x13 },
};

static void
check_seq (guint evdev, gboolean press, const guint8 *want, gsize want_len)
{
  guint8 got[BW_VM_KEYMAP_MAX_SEQ];
  gsize n = bw_vm_keymap_encode (evdev, press, got);
  ck_assert_msg (n == want_len, "key %u (%s) %s: %zu bytes, want %zu", evdev,
                 bw_vm_keymap_key_name (evdev), press ? "make" : "break", n, want_len);
  ck_assert_msg (memcmp (got, want, n) == 0, "key %u (%s) %s: wrong bytes", evdev,
                 bw_vm_keymap_key_name (evdev), press ? "make" : "break");
}

START_TEST (test_105_keys)
{
  gboolean seen[BW_VM_KEY_MAX] = { FALSE };
  for (gsize i = 0; i < G_N_ELEMENTS (iso105); i++)
    {
      guint8 make[2], brk[3];
      gsize m = 0, b = 0;
      ck_assert_msg (!seen[iso105[i].evdev], "test table lists %u twice", iso105[i].evdev);
      seen[iso105[i].evdev] = TRUE;
      if (iso105[i].ext)
        make[m++] = brk[b++] = 0xE0;
      make[m++] = iso105[i].code;
      brk[b++] = 0xF0;
      brk[b++] = iso105[i].code;
      ck_assert (bw_vm_keymap_has_key (iso105[i].evdev));
      ck_assert (!bw_vm_keymap_make_only (iso105[i].evdev));
      check_seq (iso105[i].evdev, TRUE, make, m);
      check_seq (iso105[i].evdev, FALSE, brk, b);
    }
  /* With Print Screen and Pause (their own tests): all 105 keys. */
  ck_assert_uint_eq (G_N_ELEMENTS (iso105) + 2, 105);
  for (gsize i = 0; i < G_N_ELEMENTS (intl); i++)
    {
      guint8 make[1] = { intl[i].code }, brk[2] = { 0xF0, intl[i].code };
      check_seq (intl[i].evdev, TRUE, make, 1);
      check_seq (intl[i].evdev, FALSE, brk, 2);
    }
}
END_TEST

START_TEST (test_print_screen)
{
  static const guint8 make[] = { 0xE0, 0x12, 0xE0, 0x7C };
  static const guint8 brk[] = { 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12 };
  check_seq (99, TRUE, make, sizeof make);
  check_seq (99, FALSE, brk, sizeof brk);
}
END_TEST

START_TEST (test_pause)
{
  static const guint8 make[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 };
  check_seq (BW_VM_KEY_PAUSE, TRUE, make, sizeof make);
  check_seq (BW_VM_KEY_PAUSE, FALSE, NULL, 0);
  ck_assert (bw_vm_keymap_make_only (BW_VM_KEY_PAUSE));
}
END_TEST

START_TEST (test_korean)
{
  static const guint8 hangul[] = { 0xF2 }, hanja[] = { 0xF1 };
  check_seq (122, TRUE, hangul, 1);
  check_seq (122, FALSE, NULL, 0);
  check_seq (123, TRUE, hanja, 1);
  check_seq (123, FALSE, NULL, 0);
}
END_TEST

START_TEST (test_unknown_keys)
{
  guint8 out[BW_VM_KEYMAP_MAX_SEQ];
  static const guint unknown[] = { 0, 84, 101, 200, 255, 256, 1000, G_MAXUINT };
  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      ck_assert (!bw_vm_keymap_has_key (unknown[i]));
      ck_assert_uint_eq (bw_vm_keymap_encode (unknown[i], TRUE, out), 0);
      ck_assert_ptr_null (bw_vm_keymap_key_name (unknown[i]));
    }
  ck_assert_uint_eq (bw_vm_keymap_evdev_from_hardware (105), 97); /* X11 Control_R */
  ck_assert_uint_eq (bw_vm_keymap_evdev_from_hardware (3), 0);
}
END_TEST

START_TEST (test_every_entry_well_formed)
{
  /* Whatever the table holds: make codes end in a non-prefix byte, break
   * codes are the make code with F0 before the last byte. */
  for (guint k = 0; k < BW_VM_KEY_MAX; k++)
    {
      guint8 make[BW_VM_KEYMAP_MAX_SEQ], brk[BW_VM_KEYMAP_MAX_SEQ];
      gsize m, b;
      if (!bw_vm_keymap_has_key (k) || k == 99 || bw_vm_keymap_make_only (k))
        continue;
      m = bw_vm_keymap_encode (k, TRUE, make);
      b = bw_vm_keymap_encode (k, FALSE, brk);
      ck_assert_msg (m >= 1 && m <= 2 && b == m + 1, "key %u lengths %zu %zu", k, m, b);
      ck_assert (make[m - 1] != 0xE0 && make[m - 1] != 0xF0 && make[m - 1] != 0xE1);
      ck_assert_uint_eq (brk[b - 2], 0xF0);
      ck_assert_uint_eq (brk[b - 1], make[m - 1]);
      if (m == 2)
        ck_assert (make[0] == 0xE0 && brk[0] == 0xE0);
    }
}
END_TEST

START_TEST (test_host_key_setting)
{
  ck_assert_uint_eq (bw_vm_keymap_key_from_setting ("Control_R"), BW_VM_KEY_RIGHTCTRL);
  ck_assert_uint_eq (bw_vm_keymap_key_from_setting ("Control_L"), BW_VM_KEY_LEFTCTRL);
  ck_assert_uint_eq (bw_vm_keymap_key_from_setting ("Alt_R"), BW_VM_KEY_RIGHTALT);
  ck_assert_uint_eq (bw_vm_keymap_key_from_setting ("Alt_L"), BW_VM_KEY_LEFTALT);
  ck_assert_uint_eq (bw_vm_keymap_key_from_setting ("Super_R"), BW_VM_KEY_RIGHTMETA);
  ck_assert_uint_eq (bw_vm_keymap_key_from_setting ("right ctrl"), BW_VM_KEY_RIGHTCTRL);
  ck_assert_uint_eq (bw_vm_keymap_key_from_setting ("nonsense"), 0);
  ck_assert_uint_eq (bw_vm_keymap_key_from_setting (NULL), 0);
  ck_assert_str_eq (bw_vm_keymap_key_name (BW_VM_KEY_RIGHTCTRL), "Right Ctrl");
}
END_TEST

static GByteArray *
bytes (void)
{
  return g_byte_array_new ();
}

static void
expect (GByteArray *out, const guint8 *want, gsize len)
{
  ck_assert_msg (out->len == len, "%u bytes, want %zu", out->len, len);
  ck_assert (memcmp (out->data, want, len) == 0);
  g_byte_array_set_size (out, 0);
}

START_TEST (test_auto_repeat_dropped)
{
  g_autoptr (BwVmKeyState) state = bw_vm_key_state_new ();
  g_autoptr (GByteArray) out = bytes ();
  static const guint8 a_make[] = { 0x1C }, a_break[] = { 0xF0, 0x1C };

  ck_assert (bw_vm_key_state_press (state, 30, out));
  expect (out, a_make, 1);
  /* The host repeats: press, press, press without a release. */
  for (int i = 0; i < 5; i++)
    ck_assert (!bw_vm_key_state_press (state, 30, out));
  expect (out, NULL, 0);
  ck_assert (bw_vm_key_state_release (state, 30, out));
  expect (out, a_break, 2);
  /* A release without a press (key held before the window had focus). */
  ck_assert (!bw_vm_key_state_release (state, 30, out));
  expect (out, NULL, 0);
  /* Pressed again after release: sent again. */
  ck_assert (bw_vm_key_state_press (state, 30, out));
  expect (out, a_make, 1);
}
END_TEST

START_TEST (test_release_all_on_focus_loss)
{
  g_autoptr (BwVmKeyState) state = bw_vm_key_state_new ();
  g_autoptr (GByteArray) out = bytes ();
  /* Ctrl, Right Alt, Delete held; then the window loses focus. */
  static const guint8 want[] = { 0xE0, 0xF0, 0x71, 0xE0, 0xF0, 0x11, 0xF0, 0x14 };

  bw_vm_key_state_press (state, BW_VM_KEY_LEFTCTRL, out);
  bw_vm_key_state_press (state, BW_VM_KEY_RIGHTALT, out);
  bw_vm_key_state_press (state, BW_VM_KEY_DELETE, out);
  g_byte_array_set_size (out, 0);
  ck_assert_uint_eq (bw_vm_key_state_n_pressed (state), 3);
  ck_assert (bw_vm_key_state_release_all (state, out));
  expect (out, want, sizeof want);
  ck_assert_uint_eq (bw_vm_key_state_n_pressed (state), 0);
  ck_assert (!bw_vm_key_state_is_pressed (state, BW_VM_KEY_LEFTCTRL));
  /* Nothing held: nothing to send; the later host release is dropped. */
  ck_assert (!bw_vm_key_state_release_all (state, out));
  ck_assert (!bw_vm_key_state_release (state, BW_VM_KEY_DELETE, out));
  expect (out, NULL, 0);
}
END_TEST

START_TEST (test_pause_held)
{
  g_autoptr (BwVmKeyState) state = bw_vm_key_state_new ();
  g_autoptr (GByteArray) out = bytes ();
  ck_assert (bw_vm_key_state_press (state, BW_VM_KEY_PAUSE, out));
  ck_assert_uint_eq (out->len, 8);
  g_byte_array_set_size (out, 0);
  /* Repeats dropped; the release and a focus loss send nothing. */
  ck_assert (!bw_vm_key_state_press (state, BW_VM_KEY_PAUSE, out));
  ck_assert (!bw_vm_key_state_release_all (state, out));
  ck_assert_uint_eq (out->len, 0);
}
END_TEST

START_TEST (test_unknown_key_ignored)
{
  g_autoptr (BwVmKeyState) state = bw_vm_key_state_new ();
  g_autoptr (GByteArray) out = bytes ();
  ck_assert (!bw_vm_key_state_press (state, 84, out));
  ck_assert (!bw_vm_key_state_press (state, 100000, out));
  ck_assert (!bw_vm_key_state_release (state, 100000, out));
  ck_assert_uint_eq (bw_vm_key_state_n_pressed (state), 0);
  ck_assert_uint_eq (out->len, 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("ui-vm-input");
  TCase *tc = tcase_create ("keymap");
  tcase_add_test (tc, test_105_keys);
  tcase_add_test (tc, test_print_screen);
  tcase_add_test (tc, test_pause);
  tcase_add_test (tc, test_korean);
  tcase_add_test (tc, test_unknown_keys);
  tcase_add_test (tc, test_every_entry_well_formed);
  tcase_add_test (tc, test_host_key_setting);
  suite_add_tcase (s, tc);
  tc = tcase_create ("key-state");
  tcase_add_test (tc, test_auto_repeat_dropped);
  tcase_add_test (tc, test_release_all_on_focus_loss);
  tcase_add_test (tc, test_pause_held);
  tcase_add_test (tc, test_unknown_key_ignored);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
