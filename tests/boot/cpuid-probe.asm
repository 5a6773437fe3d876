; cpuid-probe.asm: a Multiboot kernel that reports on COM1 what the CPU
; says it is, so the boot tests can tell whether a guest's required
; features are offered before they boot it:
;   BOXWOOD-CPUID max=XXXXXXXX 1:eax=XXXXXXXX ecx=XXXXXXXX edx=XXXXXXXX
; ("BOXWOOD-CPUID none" when EFLAGS.ID cannot be toggled), then halts.
        bits 32
        org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0x00010002               ; memory info; load addresses below
COM1     equ 0x3f8

mb_header:
        dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
        dd mb_header, mb_header, image_end, bss_end, start

start:
        cli
        mov esp, stack_top
        ; 115200 8N1, FIFOs on
        mov dx, COM1 + 3
        mov al, 0x80
        out dx, al
        mov dx, COM1
        mov al, 1
        out dx, al
        inc dx
        xor al, al
        out dx, al
        mov dx, COM1 + 3
        mov al, 0x03
        out dx, al
        mov dx, COM1 + 2
        mov al, 0x07
        out dx, al
        mov dx, COM1 + 4
        mov al, 0x0b
        out dx, al

        ; CPUID exists when EFLAGS.ID (bit 21) can be changed.
        pushfd
        pop eax
        mov ecx, eax
        xor eax, 1 << 21
        push eax
        popfd
        pushfd
        pop eax
        push ecx
        popfd
        xor eax, ecx
        test eax, 1 << 21
        jnz .has_cpuid
        mov esi, s_none
        call puts
        jmp done

.has_cpuid:
        xor eax, eax
        cpuid
        mov [max_leaf], eax
        mov eax, 1
        cpuid
        mov [leaf1_eax], eax
        mov [leaf1_ecx], ecx
        mov [leaf1_edx], edx

        mov esi, s_max
        call puts
        mov eax, [max_leaf]
        call puthex
        mov esi, s_eax
        call puts
        mov eax, [leaf1_eax]
        call puthex
        mov esi, s_ecx
        call puts
        mov eax, [leaf1_ecx]
        call puthex
        mov esi, s_edx
        call puts
        mov eax, [leaf1_edx]
        call puthex
        mov esi, s_nl
        call puts

done:
        cli
.halt:  hlt
        jmp .halt

; putc: al to COM1 once the transmitter holding register is empty.
putc:
        push eax
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop eax
        mov dx, COM1
        out dx, al
        ret

; puts: the zero-terminated string at esi.
puts:
        lodsb
        test al, al
        jz .end
        call putc
        jmp puts
.end:   ret

; puthex: eax as eight hex digits.
puthex:
        mov ecx, 8
        mov ebx, eax
.digit: rol ebx, 4
        mov al, bl
        and al, 0x0f
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'a' - '9' - 1
.out:   push ecx
        call putc
        pop ecx
        loop .digit
        ret

s_none: db "BOXWOOD-CPUID none", 13, 10, 0
s_max:  db "BOXWOOD-CPUID max=", 0
s_eax:  db " 1:eax=", 0
s_ecx:  db " ecx=", 0
s_edx:  db " edx=", 0
s_nl:   db 13, 10, 0

image_end:
        section .bss
        alignb 4
max_leaf:  resd 1
leaf1_eax: resd 1
leaf1_ecx: resd 1
leaf1_edx: resd 1
        resb 1024
stack_top:
bss_end:
