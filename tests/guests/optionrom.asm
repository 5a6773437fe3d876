; optionrom.asm: an option ROM that the board hands to SeaBIOS through
; fw_cfg ("genroms/..."); SeaBIOS runs its init entry during POST. It
; checks what the BIOS set up from our devices and reports on COM1:
; the BIOS data area's COM1 port, the e820 map (INT 15h E820) and the
; conventional memory size (INT 12h). It never returns to the BIOS.
; fix-rom.py fills in the size byte and the checksum.
        bits 16
        org 0
%include "serial.inc"

        db 0x55, 0xaa
        db 0                            ; size in 512-byte blocks (fix-rom.py)
        jmp init

init:   cli
        push cs
        pop ds
        serial_init
        mov si, s_rom
        cmp ax, ax
        call report

        ; the BDA lists COM1 at 0x3F8
        push ds
        mov ax, 0x40
        mov ds, ax
        mov bx, [0]
        pop ds
        mov si, s_bda
        cmp bx, 0x3f8
        call report

        ; INT 12h: 639 or 640 KiB below the EBDA
        int 0x12
        mov si, s_int12
        cmp ax, 600
        setae al
        cmp al, 1
        call report

        ; INT 15h E820, first entry: RAM at 0
        push cs
        pop es
        mov di, e820_buf
        xor ebx, ebx
        mov edx, 0x534d4150
        mov eax, 0xe820
        mov ecx, 20
        int 0x15
        jc .e820_bad
        cmp eax, 0x534d4150
        jne .e820_bad
        cmp dword [e820_buf + 16], 1
.e820_bad:
        mov si, s_e820
        call report

        mov si, s_done
        call puts
.halt:  cli
        hlt
        jmp .halt

report: push si
        mov si, s_ok
        jz .p
        mov si, s_fail
.p:     call puts
        pop si
        call puts
        mov si, s_nl
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

s_ok:    db "OK ", 0
s_fail:  db "FAIL ", 0
s_nl:    db 10, 0
s_rom:   db "optionrom", 0
s_bda:   db "bda", 0
s_int12: db "int12", 0
s_e820:  db "e820", 0
s_done:  db "DONE", 10, 0
e820_buf: times 20 db 0
