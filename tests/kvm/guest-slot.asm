; guest-slot.asm: reads F0000, writes 77 there and reads it again, logging
; both reads; HLT, then again from the top. The test changes the PAM
; mode of F0000-FFFFF between rounds, so the KVM slots behind it change.
%include "guest-common.inc"
bits 16
org LOAD_ADDR

start:
    mov ax, 0xf000
    mov es, ax
    mov dx, PORT_LOG
    mov al, [es:0]
    out dx, al
    mov byte [es:0], 0x77
    mov al, [es:0]
    out dx, al
    hlt
    jmp start
