/* bw-x86-ops.h: the instruction handlers, by file. */
#pragma once


/* bw-x86-ops-alu.c */
BW_X86_OP (alu_rm_r);
BW_X86_OP (alu_r_rm);
BW_X86_OP (alu_a_imm);
BW_X86_OP (alu_rm_imm);
BW_X86_OP (test_rm_r);
BW_X86_OP (test_a_imm);
BW_X86_OP (test_rm_imm);
BW_X86_OP (inc_r);
BW_X86_OP (dec_r);
BW_X86_OP (inc_rm);
BW_X86_OP (dec_rm);
BW_X86_OP (not);
BW_X86_OP (neg);
BW_X86_OP (mul);
BW_X86_OP (imul1);
BW_X86_OP (imul_r_rm_imm);
BW_X86_OP (imul_r_rm);
BW_X86_OP (div);
BW_X86_OP (idiv);
BW_X86_OP (cmpxchg);
BW_X86_OP (cmpxchg8b);
BW_X86_OP (xadd);

/* bw-x86-ops-bcd.c */
BW_X86_OP (daa);
BW_X86_OP (das);
BW_X86_OP (aaa);
BW_X86_OP (aas);
BW_X86_OP (aam);
BW_X86_OP (aad);
BW_X86_OP (salc);

/* bw-x86-ops-control.c */
BW_X86_OP (jmp_rel);
BW_X86_OP (jcc);
BW_X86_OP (jmp_rm);
BW_X86_OP (call_rel);
BW_X86_OP (call_rm);
BW_X86_OP (ret);
BW_X86_OP (loop);
BW_X86_OP (jcxz);
BW_X86_OP (jmp_far);
BW_X86_OP (jmp_far_rm);
BW_X86_OP (call_far);
BW_X86_OP (call_far_rm);
BW_X86_OP (retf);
BW_X86_OP (int_imm);
BW_X86_OP (int3);
BW_X86_OP (into);
BW_X86_OP (icebp);
BW_X86_OP (iret);
BW_X86_OP (bound);

/* bw-x86-ops-data.c */
BW_X86_OP (nop);
BW_X86_OP (mov_rm_r);
BW_X86_OP (mov_r_rm);
BW_X86_OP (mov_rm_imm);
BW_X86_OP (mov_r_imm);
BW_X86_OP (mov_a_moffs);
BW_X86_OP (mov_moffs_a);
BW_X86_OP (mov_rm_sreg);
BW_X86_OP (mov_sreg_rm);
BW_X86_OP (lea);
BW_X86_OP (xchg_rm_r);
BW_X86_OP (xchg_a_r);
BW_X86_OP (push_r);
BW_X86_OP (pop_r);
BW_X86_OP (push_imm);
BW_X86_OP (push_rm);
BW_X86_OP (pop_rm);
BW_X86_OP (push_sreg);
BW_X86_OP (pop_sreg);
BW_X86_OP (pusha);
BW_X86_OP (popa);
BW_X86_OP (pushf);
BW_X86_OP (popf);
BW_X86_OP (sahf);
BW_X86_OP (lahf);
BW_X86_OP (enter);
BW_X86_OP (leave);
BW_X86_OP (lxs);
BW_X86_OP (cbw);
BW_X86_OP (cwd);
BW_X86_OP (movzx);
BW_X86_OP (movsx);
BW_X86_OP (xlat);
BW_X86_OP (setcc);
BW_X86_OP (cmovcc);
BW_X86_OP (bswap);

/* bw-x86-ops-shift.c */
BW_X86_OP (shift);
BW_X86_OP (shld_shrd);
BW_X86_OP (bt_rm_r);
BW_X86_OP (bt_rm_imm);
BW_X86_OP (bsf_bsr);

/* bw-x86-ops-string.c */
BW_X86_OP (movs);
BW_X86_OP (stos);
BW_X86_OP (lods);
BW_X86_OP (cmps);
BW_X86_OP (scas);
BW_X86_OP (ins);
BW_X86_OP (outs);

/* bw-x86-ops-system.c */
BW_X86_OP (ud);
BW_X86_OP (hlt);
BW_X86_OP (cmc);
BW_X86_OP (clc_stc);
BW_X86_OP (cld_std);
BW_X86_OP (cli);
BW_X86_OP (sti);
BW_X86_OP (in);
BW_X86_OP (out);
BW_X86_OP (sgdt_sidt);
BW_X86_OP (lgdt_lidt);
BW_X86_OP (smsw);
BW_X86_OP (lmsw);
BW_X86_OP (invlpg);
BW_X86_OP (sldt_str);
BW_X86_OP (lldt_ltr);
BW_X86_OP (verr_verw);
BW_X86_OP (lar_lsl);
BW_X86_OP (arpl);
BW_X86_OP (clts);
BW_X86_OP (wbinvd);
BW_X86_OP (mov_r_cr);
BW_X86_OP (mov_cr_r);
BW_X86_OP (mov_r_dr);
BW_X86_OP (mov_dr_r);
BW_X86_OP (cpuid);
BW_X86_OP (rdtsc);
BW_X86_OP (rdmsr);
BW_X86_OP (wrmsr);
BW_X86_OP (sysenter);
BW_X86_OP (sysexit);

/* bw-x86-fpu.c */
BW_X86_OP (esc);
BW_X86_OP (wait);

/* Specialized by size (index: operand size 0/1/2) and ALU operation. */
extern const BwX86Op bw_x86_alu_rm_r_sized[8][3];
extern const BwX86Op bw_x86_alu_r_rm_sized[8][3];
extern const BwX86Op bw_x86_alu_rm_imm_sized[8][3];
extern const BwX86Op bw_x86_inc_r_sized[3];
extern const BwX86Op bw_x86_dec_r_sized[3];
extern const BwX86Op bw_x86_mov_rm_r_sized[3];
/* The 32-bit forms of 89 and 8B split by ModRM.mod: register to register
 * (89: rm <- reg, 8B: reg <- rm), store, load. */
void bw_x86_mov_rr32_store (BwX86Cpu *cpu, const BwX86Insn *i);
void bw_x86_mov_rr32_load (BwX86Cpu *cpu, const BwX86Insn *i);
void bw_x86_mov_m32_r32 (BwX86Cpu *cpu, const BwX86Insn *i);
void bw_x86_mov_r32_m32 (BwX86Cpu *cpu, const BwX86Insn *i);
/* The same for [base + disp] with 32-bit addressing. */
void bw_x86_mov_m32_r32_bd (BwX86Cpu *cpu, const BwX86Insn *i);
void bw_x86_mov_r32_m32_bd (BwX86Cpu *cpu, const BwX86Insn *i);
/* The register-operand handler for a 32-bit ALU handler of the tables
 * (ADD..CMP r/m,r; r,r/m; r/m,imm), or fn itself. */
BwX86Op bw_x86_alu_reg_form (BwX86Op fn);
/* Those register forms: [0] rm op= reg, [1] reg op= rm, [2] rm op= imm. */
extern const BwX86Op bw_x86_alu_rr[3][8];
/* The same for the 32-bit shifts and rotates of the C0/C1/D0-D3 group. */
BwX86Op bw_x86_shift_reg_form (BwX86Op fn);
/* Those register forms by ModRM.reg (ROL..SAR). */
extern const BwX86Op bw_x86_shift_rr[8];
/* MOVZX r32, m8 / m16 and MOV m16, r16 with a frameless TLB fast path. */
void bw_x86_movzx_r32_m8 (BwX86Cpu *cpu, const BwX86Insn *i);
void bw_x86_movzx_r32_m16 (BwX86Cpu *cpu, const BwX86Insn *i);
void bw_x86_mov_m16_r16 (BwX86Cpu *cpu, const BwX86Insn *i);
extern const BwX86Op bw_x86_mov_r_rm_sized[3];
extern const BwX86Op bw_x86_push_r_sized[3];
extern const BwX86Op bw_x86_pop_r_sized[3];
/* Shifts and rotates (C0, C1, D0-D3) by ModRM.reg and size. */
extern const BwX86Op bw_x86_shift_sized[8][3];
/* Jcc (70-7F, 0F 80-8F) by condition. */
extern const BwX86Op bw_x86_jcc_cc[16];
