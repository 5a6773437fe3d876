/* bw-vm-keymap.c: the evdev -> PS/2 set-2 table.
 *
 * Set-2 facts: a make code is one byte, or E0 and a byte for the keys the
 * 101-key keyboard added (arrows, the block above them, right Ctrl/Alt,
 * keypad Enter and /, Windows and Menu); a break code puts F0 before the
 * last byte. Print Screen sends the fake-shift pair E0 12 E0 7C (break
 * E0 F0 7C E0 F0 12); Pause sends E1 14 77 E1 F0 14 F0 77 when pressed and
 * nothing when released; the Korean Hangul (F2) and Hanja (F1) keys have
 * no break code either. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-keymap.h"

#include <string.h>

enum
{
  KEY_EXT = 1 << 0,       /* E0 prefix */
  KEY_PRINT = 1 << 1,     /* E0 12 E0 7C */
  KEY_PAUSE = 1 << 2,     /* E1 sequence, make only */
  KEY_MAKE_ONLY = 1 << 3, /* one byte, no break code */
};

typedef struct
{
  guint8 code;
  guint8 flags;
  const char *name;
} KeyEntry;

#define K(c, n) { 0x##c, 0, n }
#define E(c, n) { 0x##c, KEY_EXT, n }

static const KeyEntry keys[BW_VM_KEY_MAX] = {
  /* Main block, by evdev code. */
  [1] = K (76, "Esc"),
  [2] = K (16, "1"), [3] = K (1E, "2"), [4] = K (26, "3"), [5] = K (25, "4"),
  [6] = K (2E, "5"), [7] = K (36, "6"), [8] = K (3D, "7"), [9] = K (3E, "8"),
  [10] = K (46, "9"), [11] = K (45, "0"), [12] = K (4E, "Minus"), [13] = K (55, "Equal"),
  [14] = K (66, "Backspace"), [15] = K (0D, "Tab"),
  [16] = K (15, "Q"), [17] = K (1D, "W"), [18] = K (24, "E"), [19] = K (2D, "R"),
  [20] = K (2C, "T"), [21] = K (35, "Y"), [22] = K (3C, "U"), [23] = K (43, "I"),
  [24] = K (44, "O"), [25] = K (4D, "P"), [26] = K (54, "Left Bracket"),
  [27] = K (5B, "Right Bracket"), [28] = K (5A, "Enter"), [29] = K (14, "Left Ctrl"),
  [30] = K (1C, "A"), [31] = K (1B, "S"), [32] = K (23, "D"), [33] = K (2B, "F"),
  [34] = K (34, "G"), [35] = K (33, "H"), [36] = K (3B, "J"), [37] = K (42, "K"),
  [38] = K (4B, "L"), [39] = K (4C, "Semicolon"), [40] = K (52, "Apostrophe"),
  [41] = K (0E, "Grave"), [42] = K (12, "Left Shift"), [43] = K (5D, "Backslash"),
  [44] = K (1A, "Z"), [45] = K (22, "X"), [46] = K (21, "C"), [47] = K (2A, "V"),
  [48] = K (32, "B"), [49] = K (31, "N"), [50] = K (3A, "M"), [51] = K (41, "Comma"),
  [52] = K (49, "Period"), [53] = K (4A, "Slash"), [54] = K (59, "Right Shift"),
  [55] = K (7C, "Keypad *"), [56] = K (11, "Left Alt"), [57] = K (29, "Space"),
  [58] = K (58, "Caps Lock"),
  [59] = K (05, "F1"), [60] = K (06, "F2"), [61] = K (04, "F3"), [62] = K (0C, "F4"),
  [63] = K (03, "F5"), [64] = K (0B, "F6"), [65] = K (83, "F7"), [66] = K (0A, "F8"),
  [67] = K (01, "F9"), [68] = K (09, "F10"),
  [69] = K (77, "Num Lock"), [70] = K (7E, "Scroll Lock"),
  /* Keypad. */
  [71] = K (6C, "Keypad 7"), [72] = K (75, "Keypad 8"), [73] = K (7D, "Keypad 9"),
  [74] = K (7B, "Keypad -"), [75] = K (6B, "Keypad 4"), [76] = K (73, "Keypad 5"),
  [77] = K (74, "Keypad 6"), [78] = K (79, "Keypad +"), [79] = K (69, "Keypad 1"),
  [80] = K (72, "Keypad 2"), [81] = K (7A, "Keypad 3"), [82] = K (70, "Keypad 0"),
  [83] = K (71, "Keypad ."),
  /* The Japanese key left of 1 is the Grave position. */
  [85] = K (0E, "Zenkaku/Hankaku"),
  [86] = K (61, "102nd Key"), /* between Left Shift and Z */
  [87] = K (78, "F11"), [88] = K (07, "F12"),
  [89] = K (51, "Ro"),
  [90] = K (13, "Katakana"), [91] = K (13, "Hiragana"),
  [92] = K (64, "Henkan"), [93] = K (13, "Katakana/Hiragana"), [94] = K (67, "Muhenkan"),
  [95] = K (6D, "Keypad JP Comma"),
  /* 101-key additions. */
  [96] = E (5A, "Keypad Enter"), [97] = E (14, "Right Ctrl"), [98] = E (4A, "Keypad /"),
  [99] = { 0x7C, KEY_PRINT, "Print Screen" },
  [100] = E (11, "Right Alt"),
  [102] = E (6C, "Home"), [103] = E (75, "Up"), [104] = E (7D, "Page Up"),
  [105] = E (6B, "Left"), [106] = E (74, "Right"), [107] = E (69, "End"),
  [108] = E (72, "Down"), [109] = E (7A, "Page Down"), [110] = E (70, "Insert"),
  [111] = E (71, "Delete"),
  /* Multimedia and power (the Microsoft keyboard scan code set). */
  [113] = E (23, "Mute"), [114] = E (21, "Volume Down"), [115] = E (32, "Volume Up"),
  [116] = E (37, "Power"),
  [119] = { 0x77, KEY_PAUSE, "Pause" },
  [121] = K (6D, "Keypad Comma"), /* Brazilian keypad */
  /* Korean: Hangul/English and Hanja, make only. */
  [122] = { 0xF2, KEY_MAKE_ONLY, "Hangul" },
  [123] = { 0xF1, KEY_MAKE_ONLY, "Hanja" },
  [124] = K (6A, "Yen"),
  [125] = E (1F, "Left Windows"), [126] = E (27, "Right Windows"), [127] = E (2F, "Menu"),
  [142] = E (3F, "Sleep"), [143] = E (5E, "Wake Up"),
  [163] = E (4D, "Next Track"), [164] = E (34, "Play/Pause"), [165] = E (15, "Previous Track"),
  [166] = E (3B, "Stop"),
  [172] = E (3A, "WWW Home"),
};

static const KeyEntry *
lookup (guint evdev)
{
  if (evdev == 0 || evdev >= BW_VM_KEY_MAX || keys[evdev].name == NULL)
    return NULL;
  return &keys[evdev];
}

gboolean
bw_vm_keymap_has_key (guint evdev)
{
  return lookup (evdev) != NULL;
}

const char *
bw_vm_keymap_key_name (guint evdev)
{
  const KeyEntry *k = lookup (evdev);
  return k ? k->name : NULL;
}

gboolean
bw_vm_keymap_make_only (guint evdev)
{
  const KeyEntry *k = lookup (evdev);
  return k != NULL && (k->flags & (KEY_PAUSE | KEY_MAKE_ONLY)) != 0;
}

guint
bw_vm_keymap_key_from_name (const char *name)
{
  if (name == NULL)
    return 0;
  for (guint i = 1; i < BW_VM_KEY_MAX; i++)
    if (keys[i].name != NULL && g_ascii_strcasecmp (keys[i].name, name) == 0)
      return i;
  return 0;
}

gsize
bw_vm_keymap_encode (guint evdev, gboolean press, guint8 *out)
{
  static const guint8 pause_make[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 };
  static const guint8 print_make[] = { 0xE0, 0x12, 0xE0, 0x7C };
  static const guint8 print_break[] = { 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12 };
  const KeyEntry *k = lookup (evdev);
  gsize n = 0;

  if (k == NULL)
    return 0;
  if (k->flags & KEY_PAUSE)
    {
      if (!press)
        return 0;
      memcpy (out, pause_make, sizeof pause_make);
      return sizeof pause_make;
    }
  if (k->flags & KEY_PRINT)
    {
      const guint8 *seq = press ? print_make : print_break;
      n = press ? sizeof print_make : sizeof print_break;
      memcpy (out, seq, n);
      return n;
    }
  if (k->flags & KEY_MAKE_ONLY)
    {
      if (!press)
        return 0;
      out[0] = k->code;
      return 1;
    }
  if (k->flags & KEY_EXT)
    out[n++] = 0xE0;
  if (!press)
    out[n++] = 0xF0;
  out[n++] = k->code;
  return n;
}

guint
bw_vm_keymap_key_from_setting (const char *value)
{
  static const struct
  {
    const char *keysym;
    guint evdev;
  } modifiers[] = {
    { "Control_L", 29 }, { "Control_R", 97 }, { "Alt_L", 56 },   { "Alt_R", 100 },
    { "Super_L", 125 },  { "Super_R", 126 },  { "Shift_L", 42 }, { "Shift_R", 54 },
    { "Menu", 127 },     { "ISO_Level3_Shift", 100 },
  };
  if (value == NULL)
    return 0;
  for (gsize i = 0; i < G_N_ELEMENTS (modifiers); i++)
    if (g_str_equal (value, modifiers[i].keysym))
      return modifiers[i].evdev;
  return bw_vm_keymap_key_from_name (value);
}
