; The single-step trap: TF set by POPF traps after each instruction that
; starts with TF set (not after the POPF that sets it, nor after the IRET
; of the handler, which runs with TF clear). Real mode at 0000:1000; the
; #DB handler counts in [2000h]. Expected count: 8.
bits 16
org 0x1000
    mov word [4], handler
    mov word [6], 0
    mov word [0x2000], 0
    pushf
    mov bp, sp
    or word [bp], 0x100
    popf
    nop
    nop
    nop
    pushf
    pop ax
    and ax, 0xfeff
    push ax
    popf
    hlt
handler:
    inc word [0x2000]
    iret
