/* bw-ide-private.h: what the IDE files share: the controller, its two
 * channels and four drive positions, and the calls between the channel
 * (task file, PIO, interrupts), ATA commands, ATAPI packets, bus-master
 * DMA and the disk I/O worker.
 *
 * Ownership: a channel executes one command at a time, for the drive
 * selected when the command was written (ch->active). Disk I/O goes
 * through the channel's BwIdeIo (bw-ide-io.c) with its own bounce buffer;
 * only completions (under the platform lock) touch the channel. */
#pragma once

#include <glib.h>
#include <pthread.h>
#include "devices/chipset/bw-pci.h"
#include "devices/ide/bw-ide.h"
#include "devices/storage/bw-disk.h"
#include "vmm/bw-platform.h"

G_BEGIN_DECLS

#define BW_IDE_SECTOR 512u
#define BW_IDE_CD_SECTOR 2048u
#define BW_IDE_BUF_SIZE 65536u /* PIO buffer and DMA/I/O chunk */
#define BW_IDE_MAX_MULT 16u    /* sectors per DRQ block in multiple mode */

/* Status register. */
#define BW_IDE_ST_ERR 0x01
#define BW_IDE_ST_DRQ 0x08
#define BW_IDE_ST_DSC 0x10
#define BW_IDE_ST_DF 0x20
#define BW_IDE_ST_DRDY 0x40
#define BW_IDE_ST_BSY 0x80
/* Error register. */
#define BW_IDE_ER_ABRT 0x04
#define BW_IDE_ER_IDNF 0x10
#define BW_IDE_ER_UNC 0x40
/* Device control register. */
#define BW_IDE_DC_NIEN 0x02
#define BW_IDE_DC_SRST 0x04
#define BW_IDE_DC_HOB 0x80
/* Device register. */
#define BW_IDE_DEV_LBA 0x40
#define BW_IDE_DEV_DEV 0x10

/* Bus-master registers. */
#define BW_IDE_BM_CMD_START 0x01
#define BW_IDE_BM_CMD_TO_MEMORY 0x08 /* the "read" direction: device to memory */
#define BW_IDE_BM_ST_ACTIVE 0x01
#define BW_IDE_BM_ST_ERROR 0x02
#define BW_IDE_BM_ST_INT 0x04
#define BW_IDE_BM_ST_DMA0 0x20
#define BW_IDE_BM_ST_DMA1 0x40

/* Interrupt reason (sector count) for ATAPI. */
#define BW_IDE_IR_COD 0x01
#define BW_IDE_IR_IO 0x02

/* SCSI sense keys and additional sense codes. */
#define BW_SENSE_NONE 0x00
#define BW_SENSE_NOT_READY 0x02
#define BW_SENSE_MEDIUM_ERROR 0x03
#define BW_SENSE_ILLEGAL_REQUEST 0x05
#define BW_SENSE_UNIT_ATTENTION 0x06
#define BW_ASC_INVALID_COMMAND 0x20
#define BW_ASC_LBA_OUT_OF_RANGE 0x21
#define BW_ASC_INVALID_FIELD 0x24
#define BW_ASC_MEDIUM_CHANGED 0x28
#define BW_ASC_SAVING_NOT_SUPPORTED 0x39
#define BW_ASC_MEDIUM_NOT_PRESENT 0x3a
#define BW_ASC_REMOVAL_PREVENTED 0x53
#define BW_ASC_READ_ERROR 0x11

/* Data phase of a channel (saved). */
typedef enum
{
  BW_IDE_XFER_NONE,
  BW_IDE_XFER_PIO_IN,   /* the guest reads the data port */
  BW_IDE_XFER_PIO_OUT,  /* the guest writes the data port */
  BW_IDE_XFER_DMA_IN,   /* bus master: device to memory */
  BW_IDE_XFER_DMA_OUT,  /* bus master: memory to device */
  BW_IDE_XFER_BUSY,     /* disk I/O between PIO blocks */
  BW_IDE_XFER_LAST = BW_IDE_XFER_BUSY,
} BwIdeXfer;

/* What happens when a PIO block is done (saved). */
typedef enum
{
  BW_IDE_END_NONE,
  BW_IDE_END_ATA_READ,     /* next block of a PIO read, or the end */
  BW_IDE_END_ATA_WRITE,    /* write the block just received */
  BW_IDE_END_IDENTIFY,     /* a one-block command is complete */
  BW_IDE_END_ATAPI_PACKET, /* the 12-byte packet arrived */
  BW_IDE_END_ATAPI_DATA,   /* next ATAPI data block, or the end */
  BW_IDE_END_LAST = BW_IDE_END_ATAPI_DATA,
} BwIdeEnd;

typedef struct _BwPiix3Ide BwPiix3Ide;
typedef struct _BwIdeChannel BwIdeChannel;
typedef struct _BwIdeDrive BwIdeDrive;

struct _BwIdeDrive
{
  /* Saved (bw_ide_drive_vmstate). Task file as this drive latched it. */
  guint8 feature, nsector, sector, lcyl, hcyl;
  guint8 hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
  guint8 select, status, error;
  guint8 command;       /* the command being executed */
  bool irq_pending;     /* INTRQ, before nIEN and selection */
  bool lba48;           /* the command uses 48-bit addresses */
  bool dma;             /* ATAPI: the packet's data phase is DMA */
  guint8 mult_sectors;  /* SET MULTIPLE MODE; 0: off */
  guint8 xfer_mode;     /* SET FEATURES 03h */
  bool write_cache;
  bool look_ahead;
  guint8 power;         /* 0xFF active or idle, 0x00 standby */
  guint16 cur_heads, cur_spt; /* CHS translation (INITIALIZE DEVICE PARAMETERS) */
  guint64 lba;          /* next sector of the running transfer */
  guint32 remaining;    /* sectors (ATA) still to transfer */
  guint16 block;        /* sectors in the current PIO block */
  /* ATAPI */
  guint8 cdb[12];
  guint8 sense_key, asc, ascq;
  guint8 ua_asc;        /* pending unit attention (0: none) */
  guint8 media_event;   /* pending GET EVENT STATUS media event */
  bool prevent;
  bool tray_open;
  bool medium_was_present; /* at save time: post_load notices a change */
  guint16 byte_limit;   /* PIO byte count limit of the packet */
  guint32 atapi_lba;    /* next CD sector to read */
  guint32 atapi_sectors; /* CD sectors still to read from the image */

  /* Not saved: set up at realize or by media changes. */
  BwIdeChannel *ch;
  guint unit;
  BwIdeDriveKind kind;
  BwDisk *disk;           /* the medium (NULL: empty CD drive) */
  char *path;
  gboolean read_only;
  guint64 nb_sectors;     /* in the drive's sector size */
  guint16 cyls, heads, spt; /* default geometry */
  char model[41], serial[21];
  gboolean dirty;         /* written since the last flush */
  guint io_errors;     /* logged ones (the rest are counted) */
  /* Activity for the front end's lights: bytes of the medium read and
   * written since realize, updated with relaxed atomics at submit. */
  guint64 bytes_read, bytes_written;
};

/* A disk request: the worker reads or writes the image into or from its
 * own buffer; done runs under the platform lock. */
typedef enum
{
  BW_IDE_IO_READ,
  BW_IDE_IO_WRITE,
  BW_IDE_IO_FLUSH,
} BwIdeIoOp;

typedef void (*BwIdeIoDone) (BwIdeChannel *ch, gboolean ok, const GError *error);

typedef struct
{
  /* pthread rather than GMutex/GCond: GLib's futex-based ones are
   * invisible to ThreadSanitizer, which checks this handshake. */
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  GThread *thread;
  gboolean sync;
  gboolean quit;
  int state;            /* IO_IDLE, IO_QUEUED, IO_RUNNING, IO_DONE (bw-ide-io.c) */
  guint64 seq;
  gboolean completing;  /* a completion loop is running (sync mode) */
  /* The request. */
  BwIdeIoOp op;
  BwDisk *disk;
  guint64 offset;
  guint32 len;
  guint8 *data;         /* BW_IDE_BUF_SIZE bytes */
  BwIdeIoDone done;
  gboolean ok;
  GError *error;
} BwIdeIo;

struct _BwIdeChannel
{
  /* Saved (bw_ide_channel_vmstate). */
  BwIdeDrive drive[2];
  guint8 cur;         /* selected drive (DEV bit) */
  guint8 active;      /* drive that runs the current command */
  guint8 devctl;
  guint8 xfer;        /* BwIdeXfer */
  guint8 end;         /* BwIdeEnd */
  bool irq_level;     /* what the line shows now */
  guint32 data_pos;   /* next byte of buf the guest reads or writes */
  guint32 data_end;   /* end of the current DRQ block */
  guint32 buf_len;    /* valid bytes in buf (ATAPI: may exceed the block) */
  guint8 bm_cmd, bm_status;
  guint32 bm_prd;     /* PRD table address register */
  guint32 prd_pos;    /* next PRD entry to fetch */
  guint32 prd_addr;   /* current region */
  guint32 prd_left;
  bool prd_eot;       /* the current region is the table's last */
  guint8 buf[BW_IDE_BUF_SIZE]; /* saved in a subsection during PIO */

  /* Not saved. */
  BwPiix3Ide *ide;
  guint index;
  BwIrqLine *irq;
  BwIdeIo io;
  GArray *sg;          /* mapped regions of the chunk in flight (BwIdeSg) */
  guint32 map_pos, map_addr, map_left; /* cursor after the mapped chunk */
  bool map_eot;
};

typedef struct
{
  guint32 addr;
  guint32 len;
} BwIdeSg;

struct _BwPiix3Ide
{
  BwDevice parent;
  BwPciFunction pci;
  BwIdeChannel ch[2];
  BwIdeMediumFunc medium_func;
  void *medium_data;
};

extern const BwVmStateDesc bw_ide_drive_vmstate;
extern const BwVmStateDesc bw_ide_channel_vmstate;

/* bw-ide-channel.c: registers, interrupts, PIO, resets. */
guint32 bw_ide_channel_read (BwIdeChannel *ch, guint reg);
void bw_ide_channel_write (BwIdeChannel *ch, guint reg, guint8 value);
guint32 bw_ide_data_read (BwIdeChannel *ch, guint size);
void bw_ide_data_write (BwIdeChannel *ch, guint32 value, guint size);
guint8 bw_ide_altstatus_read (BwIdeChannel *ch);
void bw_ide_devctl_write (BwIdeChannel *ch, guint8 value);
void bw_ide_update_irq (BwIdeChannel *ch);
void bw_ide_raise_irq (BwIdeDrive *d);
/* PIO block of len bytes in ch->buf; raise: signal it with INTRQ. */
void bw_ide_pio_in (BwIdeDrive *d, guint32 start, guint32 len, BwIdeEnd end, gboolean raise);
void bw_ide_pio_out (BwIdeDrive *d, guint32 start, guint32 len, BwIdeEnd end, gboolean raise);
/* Ends the data phase. */
void bw_ide_xfer_stop (BwIdeChannel *ch);
/* Command completion: status DRDY|DSC, INTRQ. */
void bw_ide_command_ok (BwIdeDrive *d);
/* ERR with the given error bits, INTRQ. */
void bw_ide_command_error (BwIdeDrive *d, guint8 error);
void bw_ide_drive_signature (BwIdeDrive *d);
/* Hardware (power-on) reset of a channel; SRST keeps settings. */
void bw_ide_channel_reset (BwIdeChannel *ch, gboolean hard);
BwIdeDrive *bw_ide_active (BwIdeChannel *ch);
void bw_ide_channel_post_load (BwIdeChannel *ch);

/* bw-ide-drive.c: media and identity. */
gboolean bw_ide_drive_setup (BwIdeDrive *d, BwConfig *node, GError **error);
void bw_ide_drive_release (BwIdeDrive *d);
/* Opens an ISO (outside the platform lock). */
BwDisk *bw_ide_open_iso (const char *path, guint64 *sectors, GError **error);
void bw_ide_drive_flush (BwIdeDrive *d);
void bw_ide_put_string (guint16 *words, guint first, const char *s, guint len);
/* Sends 256 IDENTIFY words (integrity word added) as one PIO block. */
void bw_ide_send_identify (BwIdeDrive *d, guint16 *words);
void bw_ide_log_io_error (BwIdeDrive *d, const char *what, const GError *error);

/* bw-ide-ata.c */
void bw_ide_ata_command (BwIdeDrive *d, guint8 cmd);
void bw_ide_ata_pio_end (BwIdeDrive *d, BwIdeEnd end);
void bw_ide_ata_dma_chunk (BwIdeDrive *d);

/* bw-ide-atapi.c */
void bw_ide_atapi_identify (BwIdeDrive *d);
void bw_ide_atapi_packet_command (BwIdeDrive *d);
void bw_ide_atapi_packet (BwIdeDrive *d);
void bw_ide_atapi_pio_end (BwIdeDrive *d);
void bw_ide_atapi_dma_chunk (BwIdeDrive *d);
void bw_ide_atapi_reset (BwIdeDrive *d, gboolean hard);
/* Medium swaps (platform lock held, channel drained). disk: a new
 * reference or NULL. */
void bw_ide_atapi_set_medium (BwIdeDrive *d, BwDisk *disk, const char *path, guint64 sectors);
/* Results of a packet command: GOOD, CHECK CONDITION with sense, or
 * len bytes of ch->buf for the guest (cut to alloc). */
void bw_ide_atapi_good (BwIdeDrive *d);
void bw_ide_atapi_fail (BwIdeDrive *d, guint8 key, guint8 asc, guint8 ascq);
void bw_ide_atapi_reply (BwIdeDrive *d, guint32 len, guint32 alloc);
/* FALSE (and NOT READY sent) when there is no medium to read. */
gboolean bw_ide_atapi_medium_ready (BwIdeDrive *d);

/* bw-ide-atapi-info.c: the commands that describe drive and disc
 * (INQUIRY, READ TOC, GET CONFIGURATION, MODE SENSE, GET EVENT STATUS
 * NOTIFICATION, READ DISC INFORMATION, MECHANISM STATUS). FALSE when
 * the packet is none of them. */
gboolean bw_ide_atapi_info_command (BwIdeDrive *d);

/* bw-ide-bmdma.c */
void bw_ide_bm_read (BwIdeChannel *ch, guint offset, guint64 *data, guint size);
void bw_ide_bm_write (BwIdeChannel *ch, guint offset, guint64 value, guint size);
/* Moves the DMA phase on if the drive and the bus master are both ready. */
void bw_ide_dma_pump (BwIdeChannel *ch);
/* Maps up to want bytes of the PRD table into ch->sg; returns the bytes
 * found (less when the table ends first). */
guint32 bw_ide_dma_map (BwIdeChannel *ch, guint32 want);
/* Copies the mapped regions from or to data and consumes them; FALSE
 * when part of them was not memory (the bus-master error is set). */
gboolean bw_ide_dma_to_guest (BwIdeChannel *ch, const guint8 *data, guint32 len);
gboolean bw_ide_dma_from_guest (BwIdeChannel *ch, guint8 *data, guint32 len);
/* The table ran out before the drive's transfer did: stop (Active off, no
 * interrupt); the drive keeps waiting for a new table. */
void bw_ide_dma_stall (BwIdeChannel *ch, gboolean error);
/* The drive's transfer is over: Active off when the table is exhausted. */
void bw_ide_dma_finish (BwIdeChannel *ch);
void bw_ide_bm_reset (BwIdeChannel *ch);

/* bw-ide-io.c */
void bw_ide_io_init (BwIdeChannel *ch, gboolean sync);
void bw_ide_io_shutdown (BwIdeChannel *ch);
/* Starts a request on ch->io.data (len bytes at offset). */
void bw_ide_io_submit (BwIdeChannel *ch, BwIdeIoOp op, BwDisk *disk, guint64 offset, guint32 len,
                       BwIdeIoDone done);
gboolean bw_ide_io_busy (BwIdeChannel *ch);
/* Platform lock held: waits for the request in flight and completes it
 * (and whatever it starts) until the channel is idle. */
void bw_ide_io_drain (BwIdeChannel *ch);
/* Waits for the request in flight and drops its completion. */
void bw_ide_io_discard (BwIdeChannel *ch);

static inline BwDevice *
bw_ide_device (BwIdeChannel *ch)
{
  return &ch->ide->parent;
}

G_END_DECLS
