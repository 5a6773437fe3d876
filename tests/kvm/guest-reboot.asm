; guest-reboot.asm: the first boot counts itself in RAM and triple-faults
; (a reset, as on a PC); the second logs the count and powers off.
%include "guest-common.inc"
bits 16
org LOAD_ADDR

start:
    xor ax, ax
    mov ds, ax
    inc byte [RESULT]
    mov al, [RESULT]
    mov dx, PORT_LOG
    out dx, al                  ; log the boot number
    cmp al, 2
    jae done
    cli
    lidt [empty_idt]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    ud2                         ; triple fault (see guest-triple.asm)
done:
    mov dx, PORT_POWER
    out dx, al
    cli
    hlt

empty_idt:
    dw 0
    dd 0
