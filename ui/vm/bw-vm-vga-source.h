/* bw-vm-vga-source.h: the VGA device (devices/display/bw-vga.h) as a
 * frame source for the VM display. */
#pragma once

#include "ui/vm/bw-vm-frame-source.h"
#include "devices/display/bw-vga.h"

G_BEGIN_DECLS

/* A source reading vga through its own BwVgaClient. Each update copies
 * the changed rectangles out of the device's framebuffer under the
 * platform lock (the device may re-render for another client, such as
 * the session's screenshot, right after). vga must outlive the source. */
BwVmFrameSource *bw_vm_vga_source_new (BwDevice *vga);

G_END_DECLS
