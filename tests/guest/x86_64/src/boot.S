/*
 * Entry points of the test guest (loaded at 1 MiB) and the way to long mode.
 *
 *   +0x000  32-bit bzImage entry (ESI = boot_params; EDI = 'REAL' from setup.S)
 *   +0x200  64-bit bzImage entry (RSI = boot_params), the Linux 64-bit protocol
 *   pvh     32-bit PVH entry (EBX = hvm_start_info), named by an ELF note
 *
 * Every path loads this image's GDT and page tables (4 GiB identity-mapped with
 * 2 MiB pages, so the MMIO window at 0xfe000000 is reachable) and calls
 * main(entry_kind, boot_info).
 */
#define ENTRY_PVH  1
#define ENTRY_REAL 2
#define ENTRY_BZ32 3
#define ENTRY_BZ64 4

    .section .text.entry, "ax"
    .code32
    .globl _start
_start:
    movl $ENTRY_BZ32, %eax
    cmpl $0x4c414552, %edi
    jne 1f
    movl $ENTRY_REAL, %eax
1:  movl %esi, %ebx
    jmp common32

    .org 0x200
    .code64
entry64:
    movl $ENTRY_BZ64, %edi
    movl %esi, %esi
    lgdt gdtr(%rip)
    leaq pml4(%rip), %rax
    movq %rax, %cr3
    leaq stack_top(%rip), %rsp
    pushq $0x08
    leaq common64(%rip), %rax
    pushq %rax
    lretq

    .code32
    .globl pvh_entry
pvh_entry:
    movl $ENTRY_PVH, %eax
common32:
    movl %eax, %edi
    movl %ebx, %esi
    lgdt gdtr
    ljmp $0x18, $1f
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl $stack_top, %esp
    call long_mode32
    ljmp $0x08, $common64

/* PAE, our page tables, EFER.LME, paging: the CPU is in long mode on return
   (compatibility mode until the next far jump). Keeps EDI and ESI. */
long_mode32:
    movl %cr4, %eax
    orl $0x20, %eax
    movl %eax, %cr4
    movl $pml4, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80000001, %eax
    movl %eax, %cr0
    ret

    .code64
common64:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    leaq stack_top(%rip), %rsp
    call main
    .globl halt_forever
halt_forever:
    cli
    hlt
    jmp halt_forever

/* Application processors start here in real mode, copied to 0x8000 (SIPI
   vector 8): DS = CS = 0x800, so labels are offsets from ap_tramp. */
    .code16
    .globl ap_tramp, ap_tramp_end
ap_tramp:
    cli
    movw %cs, %ax
    movw %ax, %ds
    lgdtl ap_gdtr - ap_tramp
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x18, $ap_entry32
ap_gdtr:
    .word gdt_end - gdt - 1
    .long gdt
ap_tramp_end:

    .code32
ap_entry32:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl $ap_stack0_top, %esp
    call long_mode32
    ljmp $0x08, $ap_entry64

    .code64
ap_entry64:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl $1, %eax
    lock xaddl %eax, ap_next(%rip)
    movl %eax, %edi
    movq %rdi, %rax
    shlq $14, %rax
    leaq ap_stacks(%rip), %rsp
    addq %rax, %rsp
    call ap_main
    jmp halt_forever

/* Interrupt and exception stubs: save the caller-saved registers, call C. */
.macro IRQ name, handler
    .globl \name
\name:
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    call \handler
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rax
    iretq
.endm
    IRQ irq_timer, timer_irq
    IRQ irq_serial, serial_irq
    IRQ irq_spurious, spurious_irq

.macro EXC vec
exc\vec:
    .if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp exc_common
.endm
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    EXC \v
    .endr
exc_common:
    movq (%rsp), %rdi           /* vector */
    movq 8(%rsp), %rsi          /* error code */
    movq 16(%rsp), %rdx         /* rip */
    andq $-16, %rsp
    call exception
    jmp halt_forever

    .section .rodata
    .globl exc_table
exc_table:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad exc\v
    .endr

    .section .data
    .balign 8
gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: flat data */
    .quad 0x00cf9a000000ffff    /* 0x18: flat 32-bit code */
gdt_end:
gdtr:
    .word gdt_end - gdt - 1
    .quad gdt
ap_next:
    .long 1

    .section .data.pagetables, "aw"
    .balign 4096
pml4:
    .quad pdpt + 3
    .fill 511, 8, 0
pdpt:
    .quad pd + 0x0003
    .quad pd + 0x1003
    .quad pd + 0x2003
    .quad pd + 0x3003
    .fill 508, 8, 0
pd:
    .set addr, 0
    .rept 2048
    .quad addr + 0x83           /* present, writable, 2 MiB page */
    .set addr, addr + 0x200000
    .endr

    .section .stack, "aw", @nobits
    .balign 16
    .space 16384
stack_top:
    .globl ap_stacks
ap_stacks:                      /* AP n uses [ap_stacks + (n-1)*16K, + n*16K) */
    .space 16384
ap_stack0_top:
    .space 16384 * 8

    /* PVH: XEN_ELFNOTE_PHYS32_ENTRY names the 32-bit entry point. */
    .section .note.pvh, "a"
    .balign 4
    .long 4
    .long 4
    .long 18
    .asciz "Xen"
    .long pvh_entry
