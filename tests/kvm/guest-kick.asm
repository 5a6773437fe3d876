; guest-kick.asm: tells the test it runs (an IN the test answers with 99)
; and then spins until the test kicks the vCPU out.
%include "guest-common.inc"
bits 16
org LOAD_ADDR

start:
    mov dx, PORT_LOG
    in al, dx
spin:
    jmp spin
