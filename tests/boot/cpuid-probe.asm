; cpuid-probe.asm: a Multiboot kernel that reports on COM1 what the CPU
; says it is, so the boot tests can tell whether a guest's required
; features are offered before they boot it:
;   BOXWOOD-CPUID max=XXXXXXXX 1:eax=XXXXXXXX ecx=XXXXXXXX edx=XXXXXXXX
; ("BOXWOOD-CPUID none" when EFLAGS.ID cannot be toggled), then halts.
        bits 32
        org 0x100000

%include "multiboot-com1.inc"

multiboot_header

start:
        cli
        mov esp, stack_top
        com1_init

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

com1_routines

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
