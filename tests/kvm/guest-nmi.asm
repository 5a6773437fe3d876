; guest-nmi.asm: an NMI wakes a HLT with interrupts off (the handler at
; vector 2 logs 7), then the main line logs 8 and stops.
%include "guest-common.inc"
bits 16
org LOAD_ADDR

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [2 * 4], nmi
    mov word [2 * 4 + 2], 0
    mov dx, PORT_LOG
    mov al, 1
    out dx, al
    hlt                         ; IF=0: only the NMI gets us out
    mov al, 8
    out dx, al
    hlt

nmi:
    mov al, 7
    out dx, al
    iret
