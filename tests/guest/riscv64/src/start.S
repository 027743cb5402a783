# Entry point for the freestanding test programs: set gp for linker
# relaxation, pass the initial stack pointer to rt_main.
	.section .text._start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	mv a0, sp
	andi sp, sp, -16
	call rt_main
1:	j 1b
