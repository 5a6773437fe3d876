; vgaboot.asm: a boot sector that SeaBIOS loads from an IDE disk (at
; 0000:7C00) or as an El Torito no-emulation image from a CD (at
; 07C0:0000). It clears the VGA text screen and writes two known lines,
; waits for a key, then sets a 640x480x32 Bochs VBE mode through ports
; 1CEh/1CFh and fills VRAM through the 64 KiB bank window at A0000:
; bank b (b = byte offset >> 16) is colours[b & 3]. The test reads both
; screens back with `boxwood-manage controlvm ... screentext` and
; `screenshotpng`.
        bits 16
        org 0x7c00

start:  cli
        jmp 0:.flat             ; the CD boot enters at 07C0:0000
.flat:  xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        cld
        ; text: blank the screen, then the two lines
        mov ax, 0xb800
        mov es, ax
        xor di, di
        mov ax, 0x0720
        mov cx, 80 * 25
        rep stosw
        mov si, line1
        xor di, di
        call print
        mov si, line2
        mov di, (2 * 80 + 10) * 2
        call print
        ; hide the cursor (CRTC cursor start, bit 5)
        mov dx, 0x3d4
        mov ax, 0x200a
        out dx, ax
        ; wait for a key
        xor ah, ah
        int 0x16
        ; VBE 640x480x32, banked (no LFB)
        mov bx, 4
        xor ax, ax
        call vbe
        mov bx, 1
        mov ax, 640
        call vbe
        mov bx, 2
        mov ax, 480
        call vbe
        mov bx, 3
        mov ax, 32
        call vbe
        mov bx, 4
        mov ax, 1
        call vbe
        ; 640 * 480 * 4 bytes = 18.75 banks: fill 19
        mov ax, 0xa000
        mov es, ax
        xor bp, bp
.bank:  mov bx, 5
        mov ax, bp
        call vbe
        mov bx, bp
        and bx, 3
        shl bx, 2
        mov eax, [colours + bx]
        xor di, di
        mov cx, 0x4000
        rep stosd
        inc bp
        cmp bp, 19
        jb .bank
.idle:  hlt
        jmp .idle

; ds:si -> es:di as white-on-blue characters, up to the 0.
print:  lodsb
        test al, al
        jz .done
        mov ah, 0x1f
        stosw
        jmp print
.done:  ret

; VBE register bx := ax.
vbe:    push ax
        mov dx, 0x1ce
        mov ax, bx
        out dx, ax
        pop ax
        mov dx, 0x1cf
        out dx, ax
        ret

colours: dd 0x00ff0000, 0x0000ff00, 0x000000ff, 0x00ffffff
line1:  db "BOXWOOD BOOT SECTOR: VGA TEXT OK", 0
line2:  db "0123456789 abcdefghijklmnopqrstuvwxyz !#$%&()*+,-./:;<=>?@[]^_{|}~", 0

        times 510 - ($ - $$) db 0
        dw 0xaa55
