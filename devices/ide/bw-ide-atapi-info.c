/* bw-ide-atapi-info.c: the MMC commands that describe the drive and the
 * disc: INQUIRY, READ TOC/PMA/ATIP (formats 0, 1 and 2), GET
 * CONFIGURATION, MODE SENSE(10) (pages 01h, 0Dh, 0Eh, 2Ah), GET EVENT
 * STATUS NOTIFICATION (media class, polled), READ DISC INFORMATION and
 * MECHANISM STATUS. The disc is one data track (mode 1) in one closed
 * session, which is what an ISO image is. Each reply is cut to the
 * allocation length of the packet. */
#include "config.h"

#include <string.h>
#include "devices/ide/bw-ide-private.h"

static void
put16 (guint8 *p, guint v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static void
put32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static guint
alloc16 (BwIdeDrive *d, guint at)
{
  return (guint) d->cdb[at] << 8 | d->cdb[at + 1];
}

static void
invalid_field (BwIdeDrive *d)
{
  bw_ide_atapi_fail (d, BW_SENSE_ILLEGAL_REQUEST, BW_ASC_INVALID_FIELD, 0);
}

static gboolean
present (BwIdeDrive *d)
{
  return d->disk != NULL && !d->tray_open;
}

static void
put_msf (guint8 *p, guint32 lba)
{
  guint32 f = lba + 150; /* two seconds of pregap */
  p[0] = (guint8) (f / (75 * 60));
  p[1] = (guint8) ((f / 75) % 60);
  p[2] = (guint8) (f % 75);
}

/* A 4-byte address field: 0,M,S,F or a big-endian LBA. */
static void
put_address (guint8 *p, guint32 lba, gboolean msf)
{
  if (msf)
    {
      p[0] = 0;
      put_msf (p + 1, lba);
    }
  else
    put32 (p, lba);
}

static void
inquiry (BwIdeDrive *d)
{
  guint8 *b = d->ch->buf;
  if (d->cdb[1] & 0x01) /* vital product data is not offered */
    {
      invalid_field (d);
      return;
    }
  memset (b, 0, 36);
  b[0] = 0x05; /* CD/DVD device */
  b[1] = 0x80; /* removable */
  b[3] = 0x21; /* ATAPI, response data format 1 */
  b[4] = 31;
  memcpy (b + 8, "BOXWOOD ", 8);
  memset (b + 16, ' ', 16);
  memcpy (b + 16, "CD-ROM", 6);
  memcpy (b + 32, "1.0 ", 4);
  bw_ide_atapi_reply (d, 36, alloc16 (d, 3));
}

static void
read_toc (BwIdeDrive *d)
{
  if (!bw_ide_atapi_medium_ready (d))
    return;
  guint8 *b = d->ch->buf;
  gboolean msf = (d->cdb[1] & 0x02) != 0;
  guint format = d->cdb[2] & 0x0f;
  if (format == 0)
    format = d->cdb[9] >> 6; /* where SFF-8020i put it */
  guint track = d->cdb[6];
  guint32 leadout = (guint32) d->nb_sectors;
  guint len;

  memset (b, 0, 64);
  switch (format)
    {
    case 0: /* TOC: track 1 and the lead-out */
      {
        if (track > 1 && track != 0xaa)
          {
            invalid_field (d);
            return;
          }
        guint8 *p = b + 4;
        if (track <= 1)
          {
            p[1] = 0x14; /* ADR 1, data track */
            p[2] = 1;
            put_address (p + 4, 0, msf);
            p += 8;
          }
        p[1] = 0x14;
        p[2] = 0xaa;
        put_address (p + 4, leadout, msf);
        p += 8;
        len = (guint) (p - b);
        b[2] = 1;
        b[3] = 1;
        break;
      }
    case 1: /* session information */
      len = 12;
      b[2] = 1;
      b[3] = 1;
      b[5] = 0x14;
      b[6] = 1;
      put_address (b + 8, 0, msf);
      break;
    case 2: /* full TOC, always in MSF */
      {
        static const guint8 points[] = { 0xa0, 0xa1, 0xa2, 0x01 };
        b[2] = 1;
        b[3] = 1;
        guint8 *p = b + 4;
        for (guint i = 0; i < G_N_ELEMENTS (points); i++, p += 11)
          {
            p[0] = 1;    /* session */
            p[1] = 0x14; /* ADR 1, data */
            p[3] = points[i];
            if (points[i] == 0xa0 || points[i] == 0xa1)
              p[8] = 1; /* first / last track; disc type 0 (CD-ROM) */
            else if (points[i] == 0xa2)
              put_msf (p + 8, leadout);
            else
              put_msf (p + 8, 0);
          }
        len = (guint) (p - b);
        break;
      }
    default:
      invalid_field (d);
      return;
    }
  put16 (b, len - 2);
  bw_ide_atapi_reply (d, len, alloc16 (d, 7));
}

/* One feature descriptor: code, flags (version<<2 | persistent<<1 |
 * current), additional data. */
static guint8 *
feature (guint8 *p, guint code, guint8 flags, const guint8 *data, guint len)
{
  put16 (p, code);
  p[2] = flags;
  p[3] = (guint8) len;
  memcpy (p + 4, data, len);
  return p + 4 + len;
}

static void
get_configuration (BwIdeDrive *d)
{
  guint rt = d->cdb[1] & 0x03;
  guint start = alloc16 (d, 2);
  guint8 *b = d->ch->buf;
  gboolean cur = present (d);
  if (rt == 3)
    {
      invalid_field (d);
      return;
    }
  const guint8 profiles[] = { 0x00, 0x08, cur ? 0x01 : 0x00, 0x00 };
  const guint8 core[] = { 0x00, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00 }; /* ATAPI, DBE */
  const guint8 morphing[] = { 0x02, 0x00, 0x00, 0x00 };                     /* OCEvent */
  const guint8 removable[] = { 0x29, 0x00, 0x00, 0x00 }; /* tray, eject, lock */
  const guint8 random[] = { 0x00, 0x00, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00 };
  const guint8 cdread[] = { 0x00, 0x00, 0x00, 0x00 };
  struct
  {
    guint code;
    guint8 flags;
    const guint8 *data;
    guint len;
  } list[] = {
    { 0x0000, 0x03, profiles, sizeof profiles },
    { 0x0001, 0x07, core, sizeof core },
    { 0x0002, 0x07, morphing, sizeof morphing },
    { 0x0003, 0x03, removable, sizeof removable },
    { 0x0010, cur ? 0x01 : 0x00, random, sizeof random },
    { 0x001e, 0x08 | (cur ? 0x01 : 0x00), cdread, sizeof cdread },
  };

  memset (b, 0, 8);
  put16 (b + 6, cur ? 0x0008 : 0x0000); /* current profile: CD-ROM */
  guint8 *p = b + 8;
  for (guint i = 0; i < G_N_ELEMENTS (list); i++)
    {
      gboolean take = rt == 2 ? list[i].code == start
                              : list[i].code >= start && (rt == 0 || (list[i].flags & 0x01));
      if (take)
        p = feature (p, list[i].code, list[i].flags, list[i].data, list[i].len);
    }
  guint len = (guint) (p - b);
  put32 (b, len - 4);
  bw_ide_atapi_reply (d, len, alloc16 (d, 7));
}

static guint
mode_page (BwIdeDrive *d, guint page, guint8 *p)
{
  switch (page)
    {
    case 0x01: /* read error recovery */
      {
        const guint8 v[] = { 0x01, 0x06, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00 };
        memcpy (p, v, sizeof v);
        return sizeof v;
      }
    case 0x0d: /* CD device parameters: 60 S per M, 75 F per S */
      {
        const guint8 v[] = { 0x0d, 0x06, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x4b };
        memcpy (p, v, sizeof v);
        return sizeof v;
      }
    case 0x0e: /* CD audio control */
      {
        const guint8 v[] = { 0x0e, 0x0e, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
                             0x01, 0xff, 0x02, 0xff, 0x00, 0x00, 0x00, 0x00 };
        memcpy (p, v, sizeof v);
        return sizeof v;
      }
    case 0x2a: /* capabilities and mechanical status */
      {
        guint8 v[22] = { 0x2a, 0x14, 0x03, 0x00, 0x71, 0x00, 0x29, 0x00 };
        if (d->prevent)
          v[6] |= 0x02; /* locked */
        put16 (v + 8, 706);  /* 4x, in kB/s */
        put16 (v + 10, 256); /* volume levels */
        put16 (v + 12, 512); /* buffer, KiB */
        put16 (v + 14, 706);
        memcpy (p, v, sizeof v);
        return sizeof v;
      }
    default:
      return 0;
    }
}

static void
mode_sense (BwIdeDrive *d)
{
  guint pc = d->cdb[2] >> 6;
  guint page = d->cdb[2] & 0x3f;
  guint8 *b = d->ch->buf;
  static const guint8 pages[] = { 0x01, 0x0d, 0x0e, 0x2a };

  if (pc == 3)
    {
      bw_ide_atapi_fail (d, BW_SENSE_ILLEGAL_REQUEST, BW_ASC_SAVING_NOT_SUPPORTED, 0);
      return;
    }
  memset (b, 0, 8);
  guint len = 8;
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      if (page != 0x3f && page != pages[i])
        continue;
      guint n = mode_page (d, pages[i], b + len);
      if (pc == 1) /* changeable values: none */
        memset (b + len + 2, 0, n - 2);
      len += n;
    }
  if (len == 8)
    {
      invalid_field (d);
      return;
    }
  put16 (b, len - 2);
  b[2] = present (d) ? 0x01 : 0x70; /* 120 mm data disc / no disc */
  bw_ide_atapi_reply (d, len, alloc16 (d, 7));
}

static void
event_status (BwIdeDrive *d)
{
  guint8 *b = d->ch->buf;
  if (!(d->cdb[1] & 0x01)) /* only polled operation */
    {
      invalid_field (d);
      return;
    }
  memset (b, 0, 8);
  b[3] = 0x10; /* supported: media class */
  guint len;
  if (d->cdb[4] & 0x10)
    {
      put16 (b, 6);
      b[2] = 0x04; /* media class */
      b[4] = d->media_event;
      b[5] = (present (d) ? 0x02 : 0x00) | (d->tray_open ? 0x01 : 0x00);
      d->media_event = 0;
      len = 8;
    }
  else
    {
      put16 (b, 2);
      b[2] = 0x80; /* no event available */
      len = 4;
    }
  bw_ide_atapi_reply (d, len, alloc16 (d, 7));
}

static void
disc_information (BwIdeDrive *d)
{
  if (!bw_ide_atapi_medium_ready (d))
    return;
  if (d->cdb[1] & 0x07)
    {
      invalid_field (d);
      return;
    }
  guint8 *b = d->ch->buf;
  memset (b, 0, 34);
  put16 (b, 32);
  b[2] = 0x0e; /* complete disc, complete last session */
  b[3] = 1;    /* first track */
  b[4] = 1;    /* sessions */
  b[5] = 1;    /* first track of the last session */
  b[6] = 1;    /* last track of the last session */
  b[8] = 0x00; /* CD-DA or CD-ROM */
  put32 (b + 16, 0xffffffff); /* no next session */
  put32 (b + 20, 0xffffffff);
  bw_ide_atapi_reply (d, 34, alloc16 (d, 7));
}

/* READ TRACK INFORMATION of track 1 (by track number or by an LBA in it),
 * or of the session's only track (type 2, session 1). */
static void
track_information (BwIdeDrive *d)
{
  if (!bw_ide_atapi_medium_ready (d))
    return;
  guint type = d->cdb[1] & 0x03;
  guint32 number = (guint32) d->cdb[2] << 24 | (guint32) d->cdb[3] << 16
                   | (guint32) d->cdb[4] << 8 | d->cdb[5];
  gboolean ok = (type == 0 && number < d->nb_sectors) || (type == 1 && number == 1)
                || (type == 2 && number == 1);
  if (!ok)
    {
      invalid_field (d);
      return;
    }
  guint8 *b = d->ch->buf;
  memset (b, 0, 36);
  put16 (b, 34);
  b[2] = 1;    /* track 1 */
  b[3] = 1;    /* session 1 */
  b[5] = 0x04; /* data track, recorded uninterrupted */
  b[6] = 0x01; /* mode 1 */
  put32 (b + 8, 0);                        /* start */
  put32 (b + 24, (guint32) d->nb_sectors); /* size */
  put32 (b + 28, (guint32) d->nb_sectors - 1); /* last recorded address */
  b[7] = 0x02; /* LRA valid */
  bw_ide_atapi_reply (d, 36, alloc16 (d, 7));
}

static void
mechanism_status (BwIdeDrive *d)
{
  guint8 *b = d->ch->buf;
  memset (b, 0, 8);
  b[1] = d->tray_open ? 0x10 : 0x00;
  bw_ide_atapi_reply (d, 8, alloc16 (d, 8));
}

gboolean
bw_ide_atapi_info_command (BwIdeDrive *d)
{
  switch (d->cdb[0])
    {
    case 0x12:
      inquiry (d);
      return TRUE;
    case 0x43:
      read_toc (d);
      return TRUE;
    case 0x46:
      get_configuration (d);
      return TRUE;
    case 0x5a:
      mode_sense (d);
      return TRUE;
    case 0x4a:
      event_status (d);
      return TRUE;
    case 0x51:
      disc_information (d);
      return TRUE;
    case 0x52:
      track_information (d);
      return TRUE;
    case 0xbd:
      mechanism_status (d);
      return TRUE;
    default:
      return FALSE;
    }
}
