; Protected-mode virtual interrupts (CR4.PVI) and ring-3 limits. Ring 0
; IRETs to flat ring-3 code with IOPL 0 and IF set. A #GP handler logs each
; fault at 1000h (EIP, error code, EFLAGS image; 16 bytes each, count at
; F00h) and resumes at the address the ring-3 code left in [F08h]. INT 40h
; (gate DPL 3) is the ring-3 code's service: EAX=1 sets CR4.PVI, EAX=2 sets
; VIP in its frame, EAX=3 ends the test (HLT in ring 0).
; Ring-3 results: [800h] PUSHFD after CLI with PVI, [804h] after STI,
; [808h] after POPFD of 0 (IF stays: CPL > IOPL).
; Faults expected: CLI without PVI, MOV EAX,DR7, STI with VIP.
bits 16
org 0x7c00
%include "pm-entry.inc"
%include "ring3-tss.inc"
    enter_pm32 0x9000
    load_tss
    push dword 0x23             ; SS
    push dword 0x6000           ; ESP
    push dword 0x00000202       ; IF, IOPL 0
    push dword 0x1b             ; CS
    push dword ring3
    iretd

gp_handler:
    gp_log_enter
    mov eax, [esp + 20]         ; EFLAGS
    mov [0x1008 + ebx], eax
    inc dword [0xf00]
    mov eax, [0xf08]
    gp_resume_at_eax

int40_handler:
    push ebx
    cmp eax, 1
    jne .not1
    mov ebx, cr4
    or ebx, 2                   ; PVI
    mov cr4, ebx
    jmp .ret
.not1:
    cmp eax, 2
    jne .not2
    or dword [esp + 12], 0x100000   ; VIP
    jmp .ret
.not2:
    hlt
.ret:
    pop ebx
    iretd

ring3:
    mov ax, 0x23
    mov ds, ax
    mov es, ax
    mov dword [0xf08], .a
    cli                         ; no PVI: #GP
.a:
    mov dword [0xf08], .b
    mov eax, dr7                ; ring 3: #GP
.b:
    mov eax, 1
    int 0x40                    ; PVI on
    cli                         ; VIF = 0
    pushfd
    pop dword [0x800]
    sti                         ; VIF = 1
    pushfd
    pop dword [0x804]
    push dword 0
    popfd                       ; IF unchanged, no fault
    pushfd
    pop dword [0x808]
    mov eax, 2
    int 0x40                    ; VIP
    mov dword [0xf08], .c
    sti                         ; VIP: #GP
.c:
    mov eax, 3
    int 0x40

gdt_with_tss

idt_gp 0x40, int40_handler

tss_head 0x68                  ; no I/O bitmap
tss_end:
