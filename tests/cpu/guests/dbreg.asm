; Debug registers in flat ring 0. The #DB handler logs each exception at
; 1000h, 32 bytes each: test number (from [F0Ch]), DR6, EIP, EFLAGS image,
; ECX; count at F00h. It clears DR6 and sets RF in the frame. The #GP
; handler (test 2) counts at F20h, stores its frame's EFLAGS at F24h and
; loads a good selector into BX; the #UD handler counts at F10h, stores the
; EIP at F14h and skips the 3-byte MOV from DR4.
; Tests: 1 instruction breakpoint (DR0); 2 an instruction breakpoint on an
; instruction that then faults: the fault pushes RF, so one #DB only;
; 3 data write breakpoint (DR1, 4 bytes): a read and a store beside it do
; not trap, an overlapping store does; 4 read/write breakpoint (DR2, 2
; bytes) hit by an overlapping read; 5 REP STOSB over a watched byte (DR3):
; the trap comes after that iteration; 6 I/O breakpoint (CR4.DE) on port
; 80h; 7 DR4 is #UD with CR4.DE and DR6 without ([904h]); 8 DR7.GD: MOV
; from DR0 faults with BD, then runs ([908h] = DR0, [90Ch] = DR7 after).
; [900h] counts the runs of the instruction at the test-1 breakpoint;
; 980h-998h hold the addresses the seven #DB frames should show.
bits 16
org 0x7c00
%include "pm-entry.inc"
    enter_pm32 0x9000
    ; where the #DB frames should point, for the test to compare
    mov dword [0x980], bp1
    mov dword [0x984], bp2
    mov dword [0x988], after_store
    mov dword [0x98c], after_read
    mov dword [0x990], rep_insn
    mov dword [0x994], after_out
    mov dword [0x998], gd_insn

    mov dword [0xf0c], 1
    mov eax, bp1
    mov dr0, eax
    mov eax, 0x00000001         ; L0, execute
    mov dr7, eax
    nop
bp1:
    inc dword [0x900]

    mov dword [0xf0c], 2
    mov eax, bp2
    mov dr0, eax
    mov bx, 0x40                ; beyond the GDT
bp2:
    mov ds, bx                  ; #DB, then #GP, then runs

    mov dword [0xf0c], 3
    mov eax, watch
    mov dr1, eax
    mov eax, 0x00d00004         ; L1, write, 4 bytes
    mov dr7, eax
    mov eax, [watch]            ; a read: no trap
    mov byte [watch + 4], 1     ; beside it: no trap
    mov word [watch + 2], 7     ; overlaps: trap
after_store:

    mov dword [0xf0c], 4
    mov eax, watch2
    mov dr2, eax
    mov eax, 0x07000010         ; L2, read/write, 2 bytes
    mov dr7, eax
    mov eax, [watch2 + 1]       ; overlaps: trap
after_read:

    mov dword [0xf0c], 5
    mov eax, buf + 5
    mov dr3, eax
    mov eax, 0x10000040         ; L3, write, 1 byte
    mov dr7, eax
    mov edi, buf
    mov ecx, 16
    mov al, 0xaa
    cld
rep_insn:
    rep stosb                   ; trap after the 6th byte, ECX = 10

    mov dword [0xf0c], 6
    mov eax, cr4
    or eax, 8                   ; DE
    mov cr4, eax
    mov eax, 0x80
    mov dr3, eax
    mov eax, 0x20000040         ; L3, I/O, 1 byte
    mov dr7, eax
    out 0x80, al                ; trap
after_out:

    mov dword [0xf0c], 7
    mov eax, dr4                ; CR4.DE: #UD
    mov eax, cr4
    and eax, ~8
    mov cr4, eax
    mov eax, dr4                ; DR6
    mov [0x904], eax

    mov dword [0xf0c], 8
    mov eax, 0x1234
    mov dr0, eax
    mov eax, 0x2000             ; GD
    mov dr7, eax
gd_insn:
    mov eax, dr0                ; #DB (BD) first
    mov [0x908], eax
    mov eax, dr7
    mov [0x90c], eax
    hlt

db_handler:
    push eax
    push ebx
    mov ebx, [0xf00]
    shl ebx, 5
    mov eax, [0xf0c]
    mov [0x1000 + ebx], eax
    mov eax, dr6
    mov [0x1004 + ebx], eax
    mov eax, [esp + 8]          ; EIP
    mov [0x1008 + ebx], eax
    mov eax, [esp + 16]         ; EFLAGS
    mov [0x100c + ebx], eax
    mov [0x1010 + ebx], ecx
    inc dword [0xf00]
    xor eax, eax
    mov dr6, eax
    or dword [esp + 16], 0x10000    ; RF: resume without hitting again
    pop ebx
    pop eax
    iretd

gp_handler:
    push eax
    inc dword [0xf20]
    mov eax, [esp + 16]         ; EFLAGS (after the error code)
    mov [0xf24], eax
    mov bx, 0x10
    pop eax
    add esp, 4
    iretd

ud_handler:
    push eax
    inc dword [0xf10]
    mov eax, [esp + 4]
    mov [0xf14], eax
    add dword [esp + 4], 3
    pop eax
    iretd

align 4
watch:
    dd 0
    dd 0
watch2:
    dd 0
    dd 0
buf:
    times 16 db 0

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF       ; 08: code
    dq 0x00CF92000000FFFF       ; 10: data
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

idt:
    dq 0
    dw db_handler, 0x08, 0x8E00, 0          ; 01
    times 4 dq 0
    dw ud_handler, 0x08, 0x8E00, 0          ; 06
    times 6 dq 0
    dw gp_handler, 0x08, 0x8E00, 0          ; 0D
idt_end:
idt_desc:
    dw idt_end - idt - 1
    dd idt
