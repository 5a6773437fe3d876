; The TSS I/O permission bitmap. The bitmap allows ports 42h and 80h-82h
; and covers ports 000h-3FFh; ports above lie beyond the TSS limit. Ring 3
; with IOPL 0, then V86 mode with IOPL 3 (where the bitmap still decides),
; run IN/OUT/INS/OUTS on allowed and denied ports. A #GP handler logs
; each fault at 1000h (EIP, error code; 16 bytes each, count at F00h) and
; resumes at the address left in [F08h]. Ring-3 results: [800h] = IN AL,42h,
; [804h] = INSB from 42h, [808h] = ECX after a REP OUTSB to 80h.
; INT 40h (gate DPL 3) from ring 3 enters V86 code at 2000:0000; its HLT
; faults and ends the test in ring 0 (log entry with EIP = the HLT).
; Faults expected, in order: OUT 83h,EAX; IN AL,90h; INSW from 42h;
; OUT 1000h,AL (beyond the limit); V86 OUT 90h,AL; V86 HLT.
bits 16
org 0x7c00
%include "pm-entry.inc"
%include "ring3-tss.inc"
    enter_pm32 0x9000
    load_tss
    copy_v86_code
    push dword 0x23             ; SS
    push dword 0x6000           ; ESP
    push dword 0x00000002       ; IOPL 0
    push dword 0x1b             ; CS
    push dword ring3
    iretd

gp_handler:
    gp_log_enter
    inc dword [0xf00]
    test dword [esp + 20], 0x20000
    jz .pm
    mov eax, [esp + 12]
    cmp byte [0x20000 + eax], 0xf4  ; at the V86 IP (CS 2000h)
    jne .v86
    hlt                         ; the end
.v86:
    movzx eax, word [0x20f08]   ; resume IP the V86 code left
    jmp .resume
.pm:
    mov eax, [0xf08]
.resume:
    gp_resume_at_eax

int40_handler:                  ; to V86 with IOPL 3
    push dword 0                ; GS
    push dword 0                ; FS
    push dword 0x2000           ; DS
    push dword 0                ; ES
    push dword 0x3000           ; SS
    push dword 0xfffe           ; SP
    push dword 0x00023002       ; VM, IOPL 3
    push dword 0x2000           ; CS
    push dword 0                ; IP
    iretd

ring3:
    mov ax, 0x23
    mov ds, ax
    mov es, ax
    in al, 0x42                 ; allowed
    mov [0x800], al
    mov al, 0x11
    out 0x80, al                ; allowed
    mov ax, 0x2222
    out 0x81, ax                ; 81h-82h allowed
    mov dword [0xf08], .a
    mov eax, 0x33333333
    out 0x83, eax               ; 83h-86h: #GP
.a:
    mov dword [0xf08], .b
    in al, 0x90                 ; #GP
.b:
    mov dx, 0x42
    mov edi, 0x804
    insb                        ; allowed
    mov dword [0xf08], .c
    insw                        ; 42h-43h: #GP
.c:
    mov dx, 0x80
    mov esi, 0x7c00
    mov ecx, 3
    rep outsb                   ; allowed
    mov [0x808], ecx
    mov dword [0xf08], .d
    mov dx, 0x1000
    out dx, al                  ; beyond the TSS limit: #GP
.d:
    int 0x40

bits 16
v86_code:
    mov al, 0x44
    out 0x80, al                ; allowed
    mov word [0xf08], .e - v86_code
    out 0x90, al                ; IOPL 3 does not help: #GP
.e:
    hlt
v86_end:

bits 32
gdt_with_tss

idt_gp 0x40, int40_handler

tss_head 0x68                  ; I/O map base
    times 8 db 0xff             ; 00-3F
    db 0xfb                     ; 40-47: 42h allowed
    times 7 db 0xff             ; 48-7F
    db 0xf8                     ; 80-87: 80h-82h allowed
    times 0x80 - 17 db 0xff     ; 88-3FF
    db 0xff
tss_end:
