; guest-triple.asm: an empty IDT, protected mode, UD2: the #UD cannot be
; delivered, nor the #GP for that, nor the double fault: a triple fault.
; (Protected mode, because KVM's real-mode interrupt emulation does not
; check the IVT limit; UD2, because an emulating KVM cannot emulate INT
; in protected mode.)
%include "guest-common.inc"
bits 16
org LOAD_ADDR

start:
    cli
    xor ax, ax
    mov ds, ax
    lidt [empty_idt]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    ud2
    hlt

empty_idt:
    dw 0
    dd 0
