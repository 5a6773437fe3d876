; Self-modifying code: stores into an instruction ahead of itself in the
; same block, then into one of an earlier block, which must run anew.
; Real mode, loaded at 0000:1000. Results: AL = 5 (patched immediate),
; BL = 7 (second run of patched loop body), CX = 2.
bits 16
org 0x1000
start:
    xor cx, cx
    mov byte [patch + 1], 5     ; patch the immediate of the next insn
patch:
    mov al, 1                   ; becomes mov al, 5
    mov bl, 0
again:
    inc cx
body:
    add bl, 3                   ; first pass: +3; patched to +4 after
    cmp cx, 2
    je done
    mov byte [body + 2], 4
    jmp again
done:
    hlt
