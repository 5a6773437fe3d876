/* test-ide-atapi.c: the ATAPI CD-ROM drive through its registers: the
 * packet signature, IDENTIFY PACKET DEVICE, INQUIRY, sense data (no
 * medium, medium changed after an insert, invalid opcode, LBA out of
 * range, invalid field), READ CAPACITY, READ(10), READ(12) and READ CD
 * on a small ISO 9660 image built by the test, PIO blocks bounded by the
 * byte count limit, READ TOC formats 0, 1 and 2 in LBA and MSF, GET
 * CONFIGURATION, MODE SENSE, GET EVENT STATUS NOTIFICATION, READ DISC
 * INFORMATION, eject and insert (guest and front end, refused while
 * prevented), DMA, and saved state. The drive is the secondary master. */
#include "config.h"

#include <unistd.h>
#include "ide-test.h"

#define CH 1
#define BASE 0x170

typedef struct
{
  guint8 status; /* at the end of the command */
  guint8 error;
  guint len;     /* data bytes received */
  guint blocks;  /* DRQ blocks */
  guint max_block;
} Result;

static ItBoard *
cd_board (const char *iso)
{
  BwConfig *config = bw_config_new ();
  it_config_drive (config, "secondary/master", "cdrom", iso);
  return it_board_new (config);
}

/* Sends a packet by PIO and collects its data (at most max bytes). */
static Result
packet (ItBoard *b, const guint8 *cdb, guint16 limit, guint8 *data, guint max)
{
  Result r = { 0 };
  it_outb (b, BASE + 6, 0xa0);
  it_outb (b, BASE + 1, 0x00);
  it_outb (b, BASE + 4, (guint8) limit);
  it_outb (b, BASE + 5, (guint8) (limit >> 8));
  it_outb (b, BASE + 7, 0xa0);
  ck_assert_uint_eq (it_altstatus (b, CH) & (ST_DRQ | ST_BSY), ST_DRQ);
  ck_assert_uint_eq (it_inb (b, BASE + 2), 0x01); /* CoD: the packet, please */
  for (guint i = 0; i < 12; i += 2)
    it_out (b, BASE, (guint32) (cdb[i] | cdb[i + 1] << 8), 2);
  for (;;)
    {
      it_wait (b);
      ck_assert (it_irq (b, CH));
      guint8 st = it_inb (b, BASE + 7);
      ck_assert (!(st & ST_BSY));
      if (!(st & ST_DRQ))
        {
          ck_assert_uint_eq (it_inb (b, BASE + 2), 0x03); /* IO | CoD: status */
          r.status = st;
          r.error = it_inb (b, BASE + 1);
          return r;
        }
      ck_assert_uint_eq (it_inb (b, BASE + 2), 0x02); /* IO: data to the host */
      guint n = it_inb (b, BASE + 4) | it_inb (b, BASE + 5) << 8;
      ck_assert_uint_gt (n, 0);
      ck_assert_uint_le (n, limit);
      r.blocks++;
      r.max_block = MAX (r.max_block, n);
      for (guint i = 0; i < n; i += 2)
        {
          guint16 w = (guint16) it_in (b, BASE, 2);
          if (r.len + i < max)
            data[r.len + i] = (guint8) w;
          if (r.len + i + 1 < max)
            data[r.len + i + 1] = (guint8) (w >> 8);
        }
      r.len += n;
    }
}

static Result
simple (ItBoard *b, guint8 op, guint8 b1, guint8 b2, guint8 b4, guint8 *data, guint max)
{
  guint8 cdb[12] = { op, b1, b2, 0, b4 };
  cdb[7] = (guint8) (max >> 8);
  cdb[8] = (guint8) max;
  return packet (b, cdb, 0xfffe, data, max);
}

static void
sense (ItBoard *b, guint8 *key, guint8 *asc, guint8 *ascq)
{
  guint8 buf[18] = { 0 };
  guint8 cdb[12] = { 0x03, 0, 0, 0, 18 };
  Result r = packet (b, cdb, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  ck_assert_uint_eq (r.len, 18);
  ck_assert_uint_eq (buf[0], 0x70);
  *key = buf[2] & 0x0f;
  *asc = buf[12];
  *ascq = buf[13];
}

#define ck_assert_sense(b, k, a, q)                                                                \
  do                                                                                               \
    {                                                                                              \
      guint8 key_, asc_, ascq_;                                                                    \
      sense (b, &key_, &asc_, &ascq_);                                                             \
      ck_assert_msg (key_ == (k) && asc_ == (a) && ascq_ == (q),                                   \
                     "sense %02x/%02x/%02x, wanted %02x/%02x/%02x", key_, asc_, ascq_, (k), (a),   \
                     (q));                                                                         \
    }                                                                                              \
  while (0)

static Result
tur (ItBoard *b)
{
  guint8 cdb[12] = { 0 };
  return packet (b, cdb, 0xfffe, NULL, 0);
}

static Result
read10 (ItBoard *b, guint32 lba, guint16 count, guint16 limit, guint8 *buf, guint max)
{
  guint8 cdb[12] = { 0x28, 0, (guint8) (lba >> 24), (guint8) (lba >> 16), (guint8) (lba >> 8),
                     (guint8) lba, 0, (guint8) (count >> 8), (guint8) count };
  return packet (b, cdb, limit, buf, max);
}

START_TEST (test_identify_and_signature)
{
  g_autofree char *iso = it_make_iso ("a.iso", "BOXWOOD_TEST");
  ItBoard *b = cd_board (iso);
  ck_assert_uint_eq (it_inb (b, BASE + 4), 0x14);
  ck_assert_uint_eq (it_inb (b, BASE + 5), 0xeb);
  ck_assert_uint_eq (it_altstatus (b, CH), 0x00);
  /* IDENTIFY DEVICE aborts with the signature in place. */
  it_outb (b, BASE + 6, 0xa0);
  it_outb (b, BASE + 7, 0xec);
  ck_assert_uint_eq (it_status (b, CH) & ST_ERR, ST_ERR);
  ck_assert_uint_eq (it_inb (b, BASE + 1), ER_ABRT);
  ck_assert_uint_eq (it_inb (b, BASE + 4), 0x14);
  ck_assert_uint_eq (it_inb (b, BASE + 5), 0xeb);
  /* IDENTIFY PACKET DEVICE. */
  it_outb (b, BASE + 7, 0xa1);
  ck_assert_uint_eq (it_status (b, CH) & ST_DRQ, ST_DRQ);
  guint8 buf[512];
  it_read_data (b, CH, buf, 512);
  guint16 w0 = (guint16) (buf[0] | buf[1] << 8);
  ck_assert_uint_eq (w0, 0x85c0);
  char model[15];
  for (guint i = 0; i < 14; i += 2)
    {
      model[i] = (char) buf[54 + i + 1];
      model[i + 1] = (char) buf[54 + i];
    }
  model[14] = 0;
  ck_assert_str_eq (model, "BOXWOOD CD-ROM");
  ck_assert_uint_eq (buf[510], 0xa5);
  /* DEVICE RESET: signature, no interrupt. */
  it_outb (b, BASE + 7, 0x08);
  it_wait (b);
  ck_assert_uint_eq (it_inb (b, BASE + 4), 0x14);
  ck_assert_uint_eq (it_altstatus (b, CH), 0x00);
  it_board_free (b);
}
END_TEST

START_TEST (test_inquiry)
{
  ItBoard *b = cd_board (NULL);
  guint8 buf[96] = { 0 };
  guint8 cdb[12] = { 0x12, 0, 0, 0, 96 };
  Result r = packet (b, cdb, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  ck_assert_uint_eq (r.len, 36);
  ck_assert_uint_eq (buf[0], 0x05);
  ck_assert_uint_eq (buf[1], 0x80);
  ck_assert (memcmp (buf + 8, "BOXWOOD CD-ROM", 14) == 0);
  /* The allocation length cuts the reply. */
  cdb[4] = 5;
  r = packet (b, cdb, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 5); /* the byte count says 5 */
  /* EVPD is not offered. */
  cdb[1] = 1;
  r = packet (b, cdb, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, ST_ERR);
  ck_assert_uint_eq (r.error >> 4, 0x05);
  ck_assert_sense (b, 0x05, 0x24, 0x00);
  it_board_free (b);
}
END_TEST

START_TEST (test_no_medium_then_insert)
{
  ItBoard *b = cd_board (NULL);
  guint8 buf[64];
  Result r = tur (b);
  ck_assert_uint_eq (r.status & ST_ERR, ST_ERR);
  ck_assert_uint_eq (r.error >> 4, 0x02);
  ck_assert_sense (b, 0x02, 0x3a, 0x01);
  r = simple (b, 0x25, 0, 0, 0, buf, 8);
  ck_assert_uint_eq (r.error >> 4, 0x02);
  ck_assert_sense (b, 0x02, 0x3a, 0x01);
  /* After a success the sense is clear. */
  r = simple (b, 0x12, 0, 0, 36, buf, 36);
  ck_assert_sense (b, 0x00, 0x00, 0x00);

  g_autofree char *iso = it_make_iso ("b.iso", "SECOND");
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_ide_insert_medium (b->ide, 1, 0, iso, &error), "%s",
                 error ? error->message : "");
  /* INQUIRY passes a unit attention by; TUR reports it once. */
  r = simple (b, 0x12, 0, 0, 36, buf, 36);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  r = tur (b);
  ck_assert_uint_eq (r.error >> 4, 0x06);
  ck_assert_sense (b, 0x06, 0x28, 0x00);
  r = tur (b);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  /* GET EVENT STATUS NOTIFICATION: new media, once. */
  r = simple (b, 0x4a, 0x01, 0, 0x10, buf, 8);
  ck_assert_uint_eq (r.len, 8);
  ck_assert_uint_eq (buf[2], 0x04);
  ck_assert_uint_eq (buf[4], 0x02);
  ck_assert_uint_eq (buf[5], 0x02);
  r = simple (b, 0x4a, 0x01, 0, 0x10, buf, 8);
  ck_assert_uint_eq (buf[4], 0x00);
  /* Asynchronous GESN is refused. */
  r = simple (b, 0x4a, 0x00, 0, 0x10, buf, 8);
  ck_assert_uint_eq (r.status & ST_ERR, ST_ERR);
  ck_assert_sense (b, 0x05, 0x24, 0x00);
  /* A file that is no CD image is refused and changes nothing. */
  g_autofree char *empty = it_path ("empty.iso");
  ck_assert (g_file_set_contents (empty, "", 0, NULL));
  ck_assert (!bw_ide_insert_medium (b->ide, 1, 0, empty, NULL));
  ck_assert (!bw_ide_insert_medium (b->ide, 0, 0, iso, NULL)); /* no drive there */
  r = tur (b);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  it_board_free (b);
}
END_TEST

START_TEST (test_read)
{
  g_autofree char *iso = it_make_iso ("c.iso", "BOXWOOD_TEST");
  ItBoard *b = cd_board (iso);
  guint8 buf[64 * 2048];

  Result r = simple (b, 0x25, 0, 0, 0, buf, 8);
  ck_assert_uint_eq (r.len, 8);
  ck_assert_uint_eq (buf[3], IT_ISO_SECTORS - 1);
  ck_assert_uint_eq (buf[6], 0x08); /* 2048 */

  /* The primary volume descriptor. */
  r = read10 (b, 16, 1, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  ck_assert_uint_eq (r.len, 2048);
  ck_assert (memcmp (buf + 1, "CD001", 5) == 0);
  ck_assert (memcmp (buf + 40, "BOXWOOD_TEST", 12) == 0);

  /* Ten sectors in blocks no larger than the byte count limit. */
  r = read10 (b, 20, 10, 4096, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  ck_assert_uint_eq (r.len, 10 * 2048);
  ck_assert_uint_eq (r.max_block, 4096);
  ck_assert_uint_eq (r.blocks, 5);
  for (guint i = 0; i < 10; i++)
    ck_assert (it_sector_ok (buf + i * 2048, 20 + i, 2048));
  /* An odd limit: blocks stay even. */
  r = read10 (b, 40, 1, 1001, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 2048);
  ck_assert_uint_eq (r.max_block, 1000);
  ck_assert (it_sector_ok (buf, 40, 2048));
  /* More than one buffer's worth (40 sectors, 80 KiB). */
  r = read10 (b, 20, 40, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 40 * 2048);
  for (guint i = 0; i < 40; i++)
    ck_assert (it_sector_ok (buf + i * 2048, 20 + i, 2048));

  /* READ(12) and READ CD (user data). */
  guint8 cdb12[12] = { 0xa8, 0, 0, 0, 0, 30, 0, 0, 0, 2 };
  r = packet (b, cdb12, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 4096);
  ck_assert (it_sector_ok (buf, 30, 2048) && it_sector_ok (buf + 2048, 31, 2048));
  guint8 cdbcd[12] = { 0xbe, 0, 0, 0, 0, 33, 0, 0, 1, 0x10 };
  r = packet (b, cdbcd, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 2048);
  ck_assert (it_sector_ok (buf, 33, 2048));
  cdbcd[9] = 0xf8; /* raw sectors with headers: not offered */
  r = packet (b, cdbcd, 0xfffe, buf, sizeof buf);
  ck_assert_sense (b, 0x05, 0x24, 0x00);

  /* Out of range, and zero sectors. */
  r = read10 (b, IT_ISO_SECTORS - 1, 2, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, ST_ERR);
  ck_assert_uint_eq (r.len, 0);
  ck_assert_sense (b, 0x05, 0x21, 0x00);
  r = read10 (b, 5, 0, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  ck_assert_uint_eq (r.len, 0);
  /* The image fails under the drive: MEDIUM ERROR, UNRECOVERED READ ERROR. */
  ck_assert (truncate (iso, 48 * 2048) == 0);
  r = read10 (b, 50, 2, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, ST_ERR);
  ck_assert_uint_eq (r.error >> 4, 0x03);
  ck_assert_sense (b, 0x03, 0x11, 0x00);
  /* An opcode the drive does not know (WRITE(10)). */
  r = read10 (b, 5, 1, 0xfffe, buf, sizeof buf);
  guint8 bad[12] = { 0x2a };
  r = packet (b, bad, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.error >> 4, 0x05);
  ck_assert_sense (b, 0x05, 0x20, 0x00);
  it_board_free (b);
}
END_TEST

START_TEST (test_toc)
{
  g_autofree char *iso = it_make_iso ("d.iso", "TOC");
  ItBoard *b = cd_board (iso);
  guint8 buf[256];

  /* Format 0, LBA. */
  Result r = simple (b, 0x43, 0, 0, 0, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 20);
  ck_assert_uint_eq (buf[1], 18);
  ck_assert_uint_eq (buf[2], 1);
  ck_assert_uint_eq (buf[3], 1);
  ck_assert_uint_eq (buf[5], 0x14);
  ck_assert_uint_eq (buf[6], 1);
  ck_assert_uint_eq (buf[11], 0);
  ck_assert_uint_eq (buf[14], 0xaa);
  ck_assert_uint_eq (buf[19], IT_ISO_SECTORS);
  /* Format 0, MSF: track 1 at 00:02:00, lead-out at 64 + 150 frames. */
  r = simple (b, 0x43, 0x02, 0, 0, buf, sizeof buf);
  ck_assert_uint_eq (buf[9], 0);
  ck_assert_uint_eq (buf[10], 2);
  ck_assert_uint_eq (buf[11], 0);
  ck_assert_uint_eq (buf[17], 0);
  ck_assert_uint_eq (buf[18], (IT_ISO_SECTORS + 150) / 75);
  ck_assert_uint_eq (buf[19], (IT_ISO_SECTORS + 150) % 75);
  /* Format 1: the session. */
  r = simple (b, 0x43, 0, 1, 0, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 12);
  ck_assert_uint_eq (buf[1], 10);
  ck_assert_uint_eq (buf[6], 1);
  ck_assert_uint_eq (buf[11], 0);
  r = simple (b, 0x43, 0x02, 1, 0, buf, sizeof buf);
  ck_assert_uint_eq (buf[10], 2);
  /* Format 2: the full TOC with points A0, A1, A2 and 1. */
  r = simple (b, 0x43, 0x02, 2, 0, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 48);
  ck_assert_uint_eq (buf[7], 0xa0);
  ck_assert_uint_eq (buf[12], 1);
  ck_assert_uint_eq (buf[18], 0xa1);
  ck_assert_uint_eq (buf[29], 0xa2);
  ck_assert_uint_eq (buf[36], (IT_ISO_SECTORS + 150) % 75);
  ck_assert_uint_eq (buf[40], 0x01);
  ck_assert_uint_eq (buf[46], 2);
  /* A format that does not exist. */
  r = simple (b, 0x43, 0, 5, 0, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, ST_ERR);
  ck_assert_sense (b, 0x05, 0x24, 0x00);
  /* Track 2 does not exist. */
  guint8 cdb[12] = { 0x43, 0, 0, 0, 0, 0, 2, 0, 100 };
  r = packet (b, cdb, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, ST_ERR);

  /* READ DISC INFORMATION. */
  r = simple (b, 0x51, 0, 0, 0, buf, 34);
  ck_assert_uint_eq (r.len, 34);
  ck_assert_uint_eq (buf[2], 0x0e);
  ck_assert_uint_eq (buf[4], 1);

  /* READ TRACK INFORMATION: track 1 by number, then by an LBA in it. */
  guint8 rti[12] = { 0x52, 0x01, 0, 0, 0, 1, 0, 0, 36 };
  r = packet (b, rti, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 36);
  ck_assert_uint_eq (buf[2], 1);
  ck_assert_uint_eq (buf[27], IT_ISO_SECTORS);
  rti[1] = 0x00;
  rti[5] = 10;
  r = packet (b, rti, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  rti[1] = 0x01;
  rti[5] = 2; /* no track 2 */
  r = packet (b, rti, 0xfffe, buf, sizeof buf);
  ck_assert_sense (b, 0x05, 0x24, 0x00);
  it_board_free (b);
}
END_TEST

START_TEST (test_configuration_and_mode_sense)
{
  g_autofree char *iso = it_make_iso ("e.iso", "CFG");
  ItBoard *b = cd_board (iso);
  guint8 buf[256];

  Result r = simple (b, 0x46, 0, 0, 0, buf, sizeof buf);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  guint len = (guint) (buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]) + 4;
  ck_assert_uint_eq (r.len, len);
  ck_assert_uint_eq (buf[7], 0x08);            /* current profile: CD-ROM */
  ck_assert_uint_eq (buf[8] << 8 | buf[9], 0); /* profile list first */
  ck_assert_uint_eq (buf[13], 0x08);
  /* RT 2: only the removable medium feature. */
  guint8 cdb[12] = { 0x46, 0x02, 0x00, 0x03, 0, 0, 0, 0, 64 };
  r = packet (b, cdb, 0xfffe, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 16);
  ck_assert_uint_eq (buf[9], 0x03);
  ck_assert_uint_eq (buf[12] & 0x08, 0x08); /* eject */

  /* MODE SENSE(10): the capabilities page. */
  r = simple (b, 0x5a, 0, 0x2a, 0, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 8 + 22);
  ck_assert_uint_eq (buf[8], 0x2a);
  ck_assert_uint_eq (buf[9], 0x14);
  ck_assert_uint_eq (buf[8 + 6] & 0x08, 0x08);
  r = simple (b, 0x5a, 0, 0x3f, 0, buf, sizeof buf);
  ck_assert_uint_eq (r.len, 8 + 8 + 8 + 16 + 22);
  ck_assert_uint_eq (buf[8], 0x01);
  ck_assert_uint_eq (buf[16], 0x0d);
  ck_assert_uint_eq (buf[24], 0x0e);
  ck_assert_uint_eq (buf[40], 0x2a);
  r = simple (b, 0x5a, 0, 0x05, 0, buf, sizeof buf);
  ck_assert_sense (b, 0x05, 0x24, 0x00);
  r = simple (b, 0x5a, 0, 0xc1, 0, buf, sizeof buf); /* saved values */
  ck_assert_sense (b, 0x05, 0x39, 0x00);
  it_board_free (b);
}
END_TEST

static guint medium_calls;
static gboolean medium_now;

static void
on_medium (void *user_data, guint channel, guint position, const char *path)
{
  ck_assert_uint_eq (channel, 1);
  ck_assert_uint_eq (position, 0);
  medium_calls++;
  medium_now = path != NULL;
}

START_TEST (test_eject)
{
  g_autofree char *iso = it_make_iso ("f.iso", "EJECT");
  ItBoard *b = cd_board (iso);
  bw_ide_set_medium_func (b->ide, on_medium, NULL);
  guint8 buf[64];
  medium_calls = 0;

  /* Prevented: the guest's eject and the front end's are refused. */
  Result r = simple (b, 0x1e, 0, 0, 0x01, NULL, 0);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  r = simple (b, 0x1b, 0, 0, 0x02, NULL, 0);
  ck_assert_uint_eq (r.status & ST_ERR, ST_ERR);
  ck_assert_sense (b, 0x05, 0x53, 0x02);
  g_autoptr (GError) error = NULL;
  ck_assert (!bw_ide_eject_medium (b->ide, 1, 0, FALSE, &error));
  ck_assert (g_error_matches (error, BW_IDE_ERROR, BW_IDE_ERROR_LOCKED));
  r = simple (b, 0x5a, 0, 0x2a, 0, buf, sizeof buf);
  ck_assert_uint_eq (buf[8 + 6] & 0x02, 0x02); /* locked */
  r = tur (b);
  ck_assert_uint_eq (r.status & ST_ERR, 0);

  /* Allowed: the guest ejects; the tray is open, the medium gone. */
  r = simple (b, 0x1e, 0, 0, 0x00, NULL, 0);
  r = simple (b, 0x1b, 0, 0, 0x02, NULL, 0);
  ck_assert_uint_eq (r.status & ST_ERR, 0);
  ck_assert_uint_eq (medium_calls, 1);
  ck_assert (!medium_now);
  r = tur (b);
  ck_assert_uint_eq (r.error >> 4, 0x02);
  ck_assert_sense (b, 0x02, 0x3a, 0x02);
  r = simple (b, 0x4a, 0x01, 0, 0x10, buf, 8);
  ck_assert_uint_eq (buf[4], 0x03); /* media removal */
  ck_assert_uint_eq (buf[5], 0x01); /* tray open, no medium */
  /* Closing the empty tray: not ready, tray closed. */
  r = simple (b, 0x1b, 0, 0, 0x03, NULL, 0);
  r = tur (b);
  ck_assert_sense (b, 0x02, 0x3a, 0x01);

  /* The front end inserts and ejects. */
  ck_assert (bw_ide_insert_medium (b->ide, 1, 0, iso, NULL));
  ck_assert_uint_eq (medium_calls, 2);
  ck_assert (medium_now);
  r = tur (b);
  ck_assert_sense (b, 0x06, 0x28, 0x00);
  r = read10 (b, 16, 1, 0xfffe, buf, sizeof buf);
  ck_assert (memcmp (buf + 1, "CD001", 5) == 0);
  r = simple (b, 0x1e, 0, 0, 0x01, NULL, 0);
  ck_assert (bw_ide_eject_medium (b->ide, 1, 0, TRUE, NULL)); /* forced */
  ck_assert (!medium_now);
  r = tur (b);
  ck_assert_sense (b, 0x02, 0x3a, 0x01);
  it_board_free (b);
}
END_TEST

START_TEST (test_dma)
{
  g_autofree char *iso = it_make_iso ("g.iso", "DMA");
  ItBoard *b = cd_board (iso);
  it_prd (b, 0x1000, 0, 0x10000, 4 * 2048, FALSE);
  it_prd (b, 0x1000, 1, 0x20000, 1 * 2048, TRUE);
  it_bm_start (b, CH, 0x1000, TRUE);
  it_outb (b, BASE + 6, 0xa0);
  it_outb (b, BASE + 1, 0x01); /* DMA */
  it_outb (b, BASE + 7, 0xa0);
  ck_assert_uint_eq (it_status (b, CH) & ST_DRQ, ST_DRQ);
  guint8 cdb[12] = { 0x28, 0, 0, 0, 0, 21, 0, 0, 5 };
  for (guint i = 0; i < 12; i += 2)
    it_out (b, BASE, (guint32) (cdb[i] | cdb[i + 1] << 8), 2);
  ck_assert_uint_eq (it_bm_status (b, CH) & 7, 0x04);
  ck_assert (it_irq (b, CH));
  ck_assert_uint_eq (it_status (b, CH) & (ST_DRQ | ST_ERR | ST_BSY), 0);
  ck_assert_uint_eq (it_inb (b, BASE + 2), 0x03);
  guint8 buf[2048];
  for (guint i = 0; i < 5; i++)
    {
      ck_assert (bw_memory_read (it_mem (b), (i < 4 ? 0x10000 + i * 2048 : 0x20000), buf, 2048));
      ck_assert (it_sector_ok (buf, 21 + i, 2048));
    }
  it_bm_stop (b, CH);

  /* INQUIRY by DMA: a reply from the drive's buffer. */
  it_prd (b, 0x1000, 0, 0x30000, 36, TRUE);
  it_bm_start (b, CH, 0x1000, TRUE);
  it_outb (b, BASE + 1, 0x01);
  it_outb (b, BASE + 7, 0xa0);
  guint8 inq[12] = { 0x12, 0, 0, 0, 36 };
  it_wait (b);
  for (guint i = 0; i < 12; i += 2)
    it_out (b, BASE, (guint32) (inq[i] | inq[i + 1] << 8), 2);
  ck_assert_uint_eq (it_bm_status (b, CH) & 7, 0x04);
  ck_assert (bw_memory_read (it_mem (b), 0x30000, buf, 36));
  ck_assert (memcmp (buf + 8, "BOXWOOD ", 8) == 0);
  it_board_free (b);
}
END_TEST

START_TEST (test_state)
{
  g_autofree char *iso = it_make_iso ("h.iso", "STATE");
  ItBoard *b = cd_board (iso);
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_vmstate_check (b->ide->klass->vmstate, b->ide, NULL, &error), "%s",
                 error ? error->message : "");

  /* Save in the middle of a PIO read: the first block read, a part of
   * the second. */
  guint8 cdb[12] = { 0x28, 0, 0, 0, 0, 20, 0, 0, 3 };
  it_outb (b, BASE + 6, 0xa0);
  it_outb (b, BASE + 1, 0);
  it_outb (b, BASE + 4, 0x00);
  it_outb (b, BASE + 5, 0x08); /* 2048-byte blocks */
  it_outb (b, BASE + 7, 0xa0);
  it_wait (b);
  for (guint i = 0; i < 12; i += 2)
    it_out (b, BASE, (guint32) (cdb[i] | cdb[i + 1] << 8), 2);
  guint8 data[3 * 2048];
  it_read_data (b, CH, data, 2048);
  ck_assert_uint_eq (it_status (b, CH) & ST_DRQ, ST_DRQ);
  it_read_data (b, CH, data + 2048, 600);
  g_autoptr (GByteArray) saved = g_byte_array_new ();
  bw_platform_save_state (b->platform, saved);

  ItBoard *c = cd_board (iso);
  ck_assert_msg (bw_platform_load_state (c->platform, saved->data, saved->len, &error), "%s",
                 error ? error->message : "");
  it_read_data (c, CH, data + 2648, 2048 - 600);
  ck_assert_uint_eq (it_status (c, CH) & ST_DRQ, ST_DRQ);
  it_read_data (c, CH, data + 4096, 2048);
  for (guint i = 0; i < 3; i++)
    ck_assert (it_sector_ok (data + i * 2048, 20 + i, 2048));
  ck_assert_uint_eq (it_status (c, CH) & (ST_DRQ | ST_ERR), 0);
  ck_assert_uint_eq (it_inb (c, BASE + 2), 0x03);

  /* State saved with a medium, loaded into a drive without one: the
   * guest hears of the change. */
  g_autoptr (GByteArray) idle = g_byte_array_new ();
  bw_platform_save_state (c->platform, idle);
  ItBoard *e = cd_board (NULL);
  ck_assert (bw_platform_load_state (e->platform, idle->data, idle->len, NULL));
  Result r = tur (e);
  ck_assert_uint_eq (r.error >> 4, 0x06);
  it_board_free (e);
  it_board_free (c);
  it_board_free (b);
}
END_TEST

static Suite *
ide_atapi_suite (void)
{
  Suite *s = suite_create ("ide-atapi");
  TCase *tc = tcase_create ("atapi");
  tcase_add_checked_fixture (tc, it_setup, it_teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_identify_and_signature);
  tcase_add_test (tc, test_inquiry);
  tcase_add_test (tc, test_no_medium_then_insert);
  tcase_add_test (tc, test_read);
  tcase_add_test (tc, test_toc);
  tcase_add_test (tc, test_configuration_and_mode_sense);
  tcase_add_test (tc, test_eject);
  tcase_add_test (tc, test_dma);
  tcase_add_test (tc, test_state);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (ide_atapi_suite ());
}
