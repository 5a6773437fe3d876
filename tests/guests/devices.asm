; devices.asm: a Multiboot kernel (32-bit protected mode, no BIOS) that
; exercises the PC devices from inside and reports each on COM1:
; "OK <what>" or "FAIL <what>", then "DONE". Started by the board's
; Multiboot loader (bw-guest-loader.h). Kept short: on a /dev/kvm that
; emulates ring-0 code every instruction is expensive.
        bits 32
        org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0x00010002               ; memory info, load addresses below
%include "serial.inc"

mb_header:
        dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
        dd mb_header, mb_header, image_end, bss_end, start

start:
        mov esp, stack_top
        mov [mb_info], ebx
        mov [mb_eax], eax
        serial_init

; --- the loader's hand-over
        mov esi, s_multiboot
        cmp dword [mb_eax], 0x2badb002
        call report

; --- UART loopback: a byte written in loopback mode comes back in RBR
.temt:  mov dx, COM1 + 5                ; first let the report above leave
        in al, dx
        test al, 0x40
        jz .temt
        mov dx, COM1 + 4
        mov al, 0x1b                    ; loopback + OUT2 + RTS + DTR
        out dx, al
        mov dx, COM1
        mov al, 0x5a
        out dx, al
.rx:    mov dx, COM1 + 5                ; until received, or sent without coming back
        in al, dx
        test al, 0x01
        jnz .got
        test al, 0x40
        jz .rx
        in al, dx
.got:   mov dx, COM1
        in al, dx
        mov bl, al
        mov dx, COM1 + 4
        mov al, 0x0b
        out dx, al
        mov esi, s_uart
        cmp bl, 0x5a
        call report

; --- PIC: initialise both, vectors 0x20/0x28; IMR reads back
        mov al, 0x11
        out 0x20, al
        out 0xa0, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x28
        out 0xa1, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x02
        out 0xa1, al
        mov al, 0x01
        out 0x21, al
        out 0xa1, al
        mov al, 0xa5
        out 0x21, al
        in al, 0x21
        mov bl, al
        mov al, 0xff
        out 0xa1, al
        mov al, 0xfe                    ; only IRQ 0
        out 0x21, al
        mov esi, s_pic
        cmp bl, 0xa5
        call report

; --- PIT: channel 0 mode 2, about 1 ms; a latched count is in range
        mov al, 0x34
        out 0x43, al
        mov al, 1193 & 0xff
        out 0x40, al
        mov al, 1193 >> 8
        out 0x40, al
        mov al, 0x00                    ; latch channel 0
        out 0x43, al
        in al, 0x40
        mov bl, al
        in al, 0x40
        mov bh, al
        mov esi, s_pit
        cmp bx, 1193
        setbe al
        cmp al, 1
        call report

; --- IRQ 0 through the PIC into an IDT gate, three times
        mov eax, irq0
        mov [idt + 0x20 * 8], ax
        mov word [idt + 0x20 * 8 + 2], 0x10
        mov word [idt + 0x20 * 8 + 4], 0x8e00
        shr eax, 16
        mov [idt + 0x20 * 8 + 6], ax
        lidt [idt_ptr]
.wait:  cmp dword [ticks], 3
        jae .ticked
        sti
        hlt                             ; IRQ 0 arrives here; irq0 comes back to .wait
        jmp .wait
.ticked:
        cli
        mov esi, s_irq0
        cmp eax, eax
        call report

; --- RTC/CMOS: status B is 24 h BCD, seconds are BCD, base memory 640 KiB
        mov al, 0x0b
        out 0x70, al
        in al, 0x71
        and al, 0x06
        mov bl, al
        mov al, 0x00
        out 0x70, al
        in al, 0x71
        mov bh, al
        and bh, 0x0f
        cmp bh, 9
        ja .rtc_bad
        cmp al, 0x59
        ja .rtc_bad
        mov al, 0x15
        out 0x70, al
        in al, 0x71
        mov cl, al
        mov al, 0x16
        out 0x70, al
        in al, 0x71
        mov ch, al
        cmp cx, 640
        jne .rtc_bad
        cmp bl, 0x02
.rtc_bad:
        mov esi, s_rtc
        call report

; --- fw_cfg: the signature, and RAM size agreeing with Multiboot's
        mov dx, 0x510
        xor ax, ax
        out dx, ax
        inc dx
        in al, dx
        mov bl, al
        in al, dx
        mov bh, al
        in al, dx
        shl eax, 16
        in al, dx
        mov esi, s_fwcfg
        cmp bx, 'QE'
        call report
        mov dx, 0x510
        mov ax, 0x03
        out dx, ax
        inc dx
        xor ebx, ebx
        mov ecx, 4
.rs:    in al, dx
        shrd ebx, eax, 8
        loop .rs
        mov esi, [mb_info]
        mov eax, [esi + 8]              ; mem_upper, KiB above 1 MiB
        add eax, 1024
        shl eax, 10
        mov esi, s_ramsize
        cmp eax, ebx
        call report

; --- i8042 self test answers 55
        mov al, 0xaa
        out 0x64, al
        mov ecx, 100000
.kbc:   in al, 0x64
        test al, 1
        jnz .kbd
        loop .kbc
.kbd:   in al, 0x60
        mov esi, s_i8042
        cmp al, 0x55
        call report

; --- port 92h: the A20 bit reads back as written
        in al, 0x92
        or al, 0x02
        out 0x92, al
        in al, 0x92
        test al, 0x02
        mov esi, s_port92
        setnz al
        cmp al, 1
        call report

        mov esi, s_done
        call puts
.halt:  cli
        hlt
        jmp .halt

; The handler drops its frame and goes back to the wait loop instead of
; IRET: a /dev/kvm that emulates ring-0 code (nested KVM, as on the hosts
; this project is built on) cannot emulate a protected-mode IRET, and the
; interrupt can only arrive at that HLT.
irq0:   inc dword [ticks]
        mov al, 0x20
        out 0x20, al
        add esp, 12
        jmp start.wait

; report: ZF set -> "OK <esi>", else "FAIL <esi>".
report:
        push esi
        mov esi, s_ok
        jz .p
        mov esi, s_fail
.p:     call puts
        pop esi
        call puts
        mov esi, s_nl
        ; fall through
puts:   lodsb
        test al, al
        jz .end
        mov ah, al
.busy:  mov dx, COM1 + 5
        in al, dx
        test al, 0x20
        jz .busy
        mov al, ah
        mov dx, COM1
        out dx, al
        jmp puts
.end:   ret

s_ok:        db "OK ", 0
s_fail:      db "FAIL ", 0
s_nl:        db 10, 0
s_multiboot: db "multiboot", 0
s_uart:      db "uart", 0
s_pic:       db "pic", 0
s_pit:       db "pit", 0
s_irq0:      db "irq0", 0
s_rtc:       db "rtc", 0
s_fwcfg:     db "fwcfg", 0
s_ramsize:   db "ramsize", 0
s_i8042:     db "i8042", 0
s_port92:    db "port92", 0
s_done:      db "DONE", 10, 0

        align 8
idt_ptr: dw 0x30 * 8 - 1
         dd idt
image_end:

        absolute image_end
        alignb 8
idt:    resb 0x30 * 8
ticks:  resd 1
mb_info: resd 1
mb_eax: resd 1
        resb 1024
stack_top:
bss_end:
