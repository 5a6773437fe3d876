; Protected mode and paging: real mode at 0000:7C00 builds a GDT and an
; IDT, enters 32-bit protected mode, turns on paging with a 4 MiB page for
; the first 4 MiB and a 4 KiB page that maps linear 0x00800000 to physical
; 0x00002000, writes through the alias, then touches an unmapped page: the
; #PF handler records CR2 and the error code and halts.
; Results: EAX = 0x12345678 read back from physical 0x2000, EBX = CR2
; (0x00C00004), ECX = error code (2: write, not present), EDX = 0xC0DE
; (the handler ran), ESI = 0x1234 (set in 32-bit code).
bits 16
org 0x7c00
%include "pm-entry.inc"
    enter_pm32 0x9000
    mov esi, 0x1234
    ; page directory at 0x10000, page table at 0x11000
    mov edi, 0x10000
    xor eax, eax
    mov ecx, 2048
    rep stosd
    mov dword [0x10000], 0x00000083          ; 4 MiB page, present, writable
    mov dword [0x10000 + 2*4], 0x00011003    ; 8 MiB..12 MiB: page table
    mov dword [0x11000], 0x00002003          ; linear 0x800000 -> phys 0x2000
    mov eax, cr4
    or eax, 0x10                             ; PSE
    mov cr4, eax
    mov eax, 0x10000
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov dword [0x800000], 0x12345678
    mov eax, [0x2000]
    mov dword [0xC00004], 1                  ; unmapped: #PF
    hlt

pf_handler:
    pop ecx                                  ; error code
    mov ebx, cr2
    mov edx, 0xC0DE
    hlt

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF                    ; 0x08: code, 4 GiB, 32-bit
    dq 0x00CF92000000FFFF                    ; 0x10: data, 4 GiB
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

idt:
    times 14 dq 0
    dw pf_handler, 0x08, 0x8E00, 0           ; vector 14: interrupt gate
idt_end:
idt_desc:
    dw idt_end - idt - 1
    dd idt
