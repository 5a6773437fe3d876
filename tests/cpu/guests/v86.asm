; Virtual-8086 mode and SYSENTER/SYSEXIT: 32-bit protected mode IRETs to
; V86 code at 2000:0000 (IOPL 0) that writes through DS = 3000h and then
; runs CLI, which faults: the #GP handler gets the V86 frame (segment
; registers saved, data segments nulled). It then SYSEXITs to flat ring-3
; code, which SYSENTERs back to ring 0.
; Results: [600h] = 2000h (CS in the frame), [604h] = 20000h (VM in the
; pushed EFLAGS), [608h] = 3000h (DS in the frame), [60Ch] = 1234h (the V86
; store at linear 30000h), [610h] = 0 (DS inside the handler), [614h] = 8
; (CS after SYSENTER), EAX = 5151h from ring 3, ESP = 8800h (SYSENTER_ESP).
bits 16
org 0x7c00
%include "pm-entry.inc"
%include "ring3-tss.inc"
    enter_pm32 0x9000
    load_tss
    ; copy the V86 code to 20000h
    copy_v86_code
    ; IRET to V86: GS FS DS ES SS ESP EFLAGS CS EIP
    push dword 0
    push dword 0
    push dword 0x3000
    push dword 0
    push dword 0x2000           ; SS
    push dword 0xfffe           ; SP
    push dword 0x00020002       ; VM, IOPL 0, IF clear
    push dword 0x2000           ; CS
    push dword 0                ; IP
    iretd

gp_handler:
    mov bx, ds                  ; nulled on the way out of V86
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    movzx ebx, bx
    mov [0x610], ebx
    mov eax, [esp + 8]          ; CS
    mov [0x600], eax
    mov eax, [esp + 12]         ; EFLAGS
    and eax, 0x20000
    mov [0x604], eax
    mov eax, [esp + 28]         ; DS
    mov [0x608], eax
    mov eax, [0x30000]
    mov [0x60c], eax
    ; SYSENTER: CS 08h, ESP 8800h, EIP sysenter_entry
    mov ecx, 0x174
    xor edx, edx
    mov eax, 0x08
    wrmsr
    inc ecx
    mov eax, 0x8800
    wrmsr
    inc ecx
    mov eax, sysenter_entry
    wrmsr
    mov ecx, 0x6000             ; ring-3 ESP
    mov edx, ring3              ; ring-3 EIP
    sysexit

ring3:
    mov eax, 0x5151
    sysenter

sysenter_entry:
    mov bx, cs
    movzx ebx, bx
    mov [0x614], ebx
    hlt

bits 16
v86_code:
    mov word [0], 0x1234
    cli                         ; IOPL 0: #GP
    hlt
v86_end:

bits 32
gdt_with_tss

idt_gp

tss_head 0x68                  ; I/O map base: none
tss_end:
