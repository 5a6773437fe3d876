; guest-irq.asm: an interrupt taken out of HLT, then one that waits for
; the guest to open the interrupt window (STI) after it was raised.
; Handler for vector 0x40 logs 2 and sets a flag; the main line logs 1
; before HLT and 3 after it, then 4 and HLT with interrupts off, then 5,
; STI and spins until the handler ran (a host may deliver a little after
; the STI shadow, at the next branch), logs 6 and stops.
%include "guest-common.inc"
bits 16
org LOAD_ADDR

start:
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x40 * 4], handler
    mov word [0x40 * 4 + 2], 0
    mov dx, PORT_LOG
    mov al, 1
    out dx, al
    sti
    hlt                         ; the test raises INTR here
    mov al, 3
    out dx, al
    cli
    mov al, 4
    out dx, al                  ; the test raises INTR while IF is 0
    hlt                         ; ... and resumes the guest
    mov al, 5
    out dx, al
    mov byte [flag], 0
    sti
spin:
    cmp byte [flag], 0
    je spin
    mov al, 6
    out dx, al
    cli
    hlt

handler:
    push ax
    mov al, 2
    out dx, al
    mov byte [flag], 1
    pop ax
    iret

flag: db 0
