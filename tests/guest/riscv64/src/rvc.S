# Every RV64C instruction form, written with explicit c. mnemonics so the
# assembler cannot pick the 32-bit encoding. rvc_run(out, buf) stores one
# result per check into out[] (order matches the names in rvc.c) and
# returns the number stored. buf is a 256-byte 8-aligned scratch area.
# c.ebreak is left out: it traps.
	.text
	.option rvc
	.globl rvc_run
	.set idx, 0
	.macro OUT r
	.option push
	.option norvc
	sd \r, idx*8(t6)
	.option pop
	.set idx, idx + 1
	.endm

rvc_run:
	addi sp, sp, -576
	sd ra, 568(sp)
	sd s0, 560(sp)
	sd s1, 552(sp)
	mv t6, a0
	mv t5, a1

	# --- C1: constants and immediates ---
	c.li s0, -32
	OUT s0
	c.li s1, 31
	OUT s1
	c.addi s1, -32
	OUT s1
	c.lui s0, 0xfffff
	OUT s0
	c.lui a2, 0x1f
	OUT a2
	li a3, 0x7fffffff
	c.addiw a3, 1
	OUT a3
	li a4, 0x80000000
	c.addiw a4, 0
	OUT a4
	c.nop
	mv t0, sp
	c.addi16sp sp, -64
	sub t1, t0, sp
	OUT t1
	c.addi16sp sp, 496
	sub t1, sp, t0
	OUT t1
	addi sp, sp, -432	# back to the frame
	c.addi4spn a5, sp, 8
	sub t1, a5, sp
	OUT t1
	c.addi4spn a5, sp, 1020
	sub t1, a5, sp
	OUT t1

	# --- C1: shifts and logic on x8..x15 ---
	li a0, -1
	c.srli a0, 63
	OUT a0
	li a1, 0x8000000000000000
	c.srai a1, 1
	OUT a1
	li a2, 0xfedcba9876543210
	c.srli a2, 32
	OUT a2
	li a3, 0x8000000000000000
	c.srai a3, 63
	OUT a3
	li a4, 0x123456789abcdef0
	c.andi a4, -32
	OUT a4
	li a5, 0x123456789abcdeff
	c.andi a5, 31
	OUT a5
	li s0, 0x0123456789abcdef
	li s1, 0xfedcba9876543210
	mv a0, s0
	c.sub a0, s1
	OUT a0
	mv a0, s0
	c.xor a0, s1
	OUT a0
	mv a0, s0
	c.or a0, s1
	OUT a0
	mv a0, s0
	c.and a0, s1
	OUT a0
	mv a0, s0
	c.subw a0, s1
	OUT a0
	mv a0, s0
	c.addw a0, s1
	OUT a0

	# --- C2: register moves, adds, shifts on any register ---
	li t1, 0x55aa
	c.mv t0, t1
	OUT t0
	c.add t0, t1
	OUT t0
	li t2, 3
	c.slli t2, 63
	OUT t2
	li t2, 0x80000001
	c.slli t2, 1
	OUT t2
	c.li t3, 5
	c.addi t3, 31
	OUT t3

	# --- C0 loads and stores through a register (x8..x15 base) ---
	mv a0, t5
	li a1, 0x8877665544332211
	c.sd a1, 8(a0)
	c.sd a1, 248(a0)
	li a2, 0x00000000fedcba98
	c.sw a2, 4(a0)
	c.sw a2, 124(a0)
	c.ld a3, 8(a0)
	OUT a3
	c.ld a3, 248(a0)
	OUT a3
	c.lw a4, 4(a0)
	OUT a4
	c.lw a4, 124(a0)
	OUT a4
	li t0, 0x400921fb54442d18
	fmv.d.x fa0, t0
	c.fsd fa0, 16(a0)
	c.fsd fa0, 240(a0)
	c.fld fa1, 16(a0)
	fmv.x.d t1, fa1
	OUT t1
	c.fld fa2, 240(a0)
	fmv.x.d t1, fa2
	OUT t1

	# --- C2 stack-pointer relative loads and stores ---
	li t0, 0x0102030405060708
	c.sdsp t0, 0(sp)
	c.sdsp t0, 504(sp)
	c.swsp t0, 16(sp)
	c.swsp t0, 252(sp)
	c.ldsp t1, 0(sp)
	OUT t1
	c.ldsp t1, 504(sp)
	OUT t1
	c.lwsp t2, 16(sp)
	OUT t2
	li t0, 0xfffffffff0e0d0c0
	c.swsp t0, 20(sp)
	c.lwsp t2, 20(sp)
	OUT t2
	c.lwsp t2, 252(sp)
	OUT t2
	li t0, 0xc00921fb54442d18
	fmv.d.x fa3, t0
	c.fsdsp fa3, 24(sp)
	c.fsdsp fa3, 496(sp)
	c.fldsp fa4, 24(sp)
	fmv.x.d t1, fa4
	OUT t1
	c.fldsp fa4, 496(sp)
	fmv.x.d t1, fa4
	OUT t1

	# --- control flow ---
	li t0, 0
	c.j 1f
	li t0, 1
1:	OUT t0
	li t0, 0
	j 3f
2:	li t0, 2
	j 4f
3:	c.j 2b
4:	OUT t0
	li a0, 0
	li t0, 7
	c.beqz a0, 5f
	li t0, 8
5:	OUT t0
	li a0, 1
	li t0, 7
	c.beqz a0, 6f
	li t0, 8
6:	OUT t0
	li a0, -1
	li t0, 7
	c.bnez a0, 7f
	li t0, 8
7:	OUT t0
	li a0, 0
	li t0, 7
	c.bnez a0, 8f
	li t0, 8
8:	OUT t0
	# backward c.bnez loop: 10 iterations
	li a1, 10
	li t0, 0
9:	addi t0, t0, 3
	c.addi a1, -1
	c.bnez a1, 9b
	OUT t0
	lla t1, 10f
	li t0, 1
	c.jr t1
	li t0, 2
10:	OUT t0
	lla t1, 12f
11:	c.jalr t1
	li t0, 99
12:	lla t2, 11b
	sub t0, ra, t2
	OUT t0
	# odd register pairs for c.jalr/c.jr target with offset computed
	lla t1, 13f
	c.mv a5, t1
	c.jalr a5
13:	lla t2, 13b
	sub t0, t2, ra
	OUT t0

	li a0, idx
	ld ra, 568(sp)
	ld s0, 560(sp)
	ld s1, 552(sp)
	addi sp, sp, 576
	ret
