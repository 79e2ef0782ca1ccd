// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall tables of the x86 ABIs, and how a failed call is shown. The name tables are the
 * kernel's arch/x86/entry/syscalls/syscall_{64,32}.tbl: entries up to 450 were generated from
 * the installed <asm/unistd_{64,32,x32}.h> (linux-libc-dev 6.1) with an awk one-liner, later
 * ones (to 6.18, plus 6.19's listns) added by hand. tests/unit/test_syscalls.c checks the
 * table against every entry of the installed headers.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "bpf/allocfail.h"
#include "common.h"
#include "syscalls.h"

/* ---- names ---- */

static const char *const names_64[] = {
	[0] = "read", [1] = "write", [2] = "open", [3] = "close", [4] = "stat", [5] = "fstat",
	[6] = "lstat", [7] = "poll", [8] = "lseek", [9] = "mmap", [10] = "mprotect",
	[11] = "munmap", [12] = "brk", [13] = "rt_sigaction", [14] = "rt_sigprocmask",
	[15] = "rt_sigreturn", [16] = "ioctl", [17] = "pread64", [18] = "pwrite64", [19] = "readv",
	[20] = "writev", [21] = "access", [22] = "pipe", [23] = "select", [24] = "sched_yield",
	[25] = "mremap", [26] = "msync", [27] = "mincore", [28] = "madvise", [29] = "shmget",
	[30] = "shmat", [31] = "shmctl", [32] = "dup", [33] = "dup2", [34] = "pause",
	[35] = "nanosleep", [36] = "getitimer", [37] = "alarm", [38] = "setitimer", [39] = "getpid",
	[40] = "sendfile", [41] = "socket", [42] = "connect", [43] = "accept", [44] = "sendto",
	[45] = "recvfrom", [46] = "sendmsg", [47] = "recvmsg", [48] = "shutdown", [49] = "bind",
	[50] = "listen", [51] = "getsockname", [52] = "getpeername", [53] = "socketpair",
	[54] = "setsockopt", [55] = "getsockopt", [56] = "clone", [57] = "fork", [58] = "vfork",
	[59] = "execve", [60] = "exit", [61] = "wait4", [62] = "kill", [63] = "uname",
	[64] = "semget", [65] = "semop", [66] = "semctl", [67] = "shmdt", [68] = "msgget",
	[69] = "msgsnd", [70] = "msgrcv", [71] = "msgctl", [72] = "fcntl", [73] = "flock",
	[74] = "fsync", [75] = "fdatasync", [76] = "truncate", [77] = "ftruncate",
	[78] = "getdents", [79] = "getcwd", [80] = "chdir", [81] = "fchdir", [82] = "rename",
	[83] = "mkdir", [84] = "rmdir", [85] = "creat", [86] = "link", [87] = "unlink",
	[88] = "symlink", [89] = "readlink", [90] = "chmod", [91] = "fchmod", [92] = "chown",
	[93] = "fchown", [94] = "lchown", [95] = "umask", [96] = "gettimeofday", [97] = "getrlimit",
	[98] = "getrusage", [99] = "sysinfo", [100] = "times", [101] = "ptrace", [102] = "getuid",
	[103] = "syslog", [104] = "getgid", [105] = "setuid", [106] = "setgid", [107] = "geteuid",
	[108] = "getegid", [109] = "setpgid", [110] = "getppid", [111] = "getpgrp",
	[112] = "setsid", [113] = "setreuid", [114] = "setregid", [115] = "getgroups",
	[116] = "setgroups", [117] = "setresuid", [118] = "getresuid", [119] = "setresgid",
	[120] = "getresgid", [121] = "getpgid", [122] = "setfsuid", [123] = "setfsgid",
	[124] = "getsid", [125] = "capget", [126] = "capset", [127] = "rt_sigpending",
	[128] = "rt_sigtimedwait", [129] = "rt_sigqueueinfo", [130] = "rt_sigsuspend",
	[131] = "sigaltstack", [132] = "utime", [133] = "mknod", [134] = "uselib",
	[135] = "personality", [136] = "ustat", [137] = "statfs", [138] = "fstatfs",
	[139] = "sysfs", [140] = "getpriority", [141] = "setpriority", [142] = "sched_setparam",
	[143] = "sched_getparam", [144] = "sched_setscheduler", [145] = "sched_getscheduler",
	[146] = "sched_get_priority_max", [147] = "sched_get_priority_min",
	[148] = "sched_rr_get_interval", [149] = "mlock", [150] = "munlock", [151] = "mlockall",
	[152] = "munlockall", [153] = "vhangup", [154] = "modify_ldt", [155] = "pivot_root",
	[156] = "_sysctl", [157] = "prctl", [158] = "arch_prctl", [159] = "adjtimex",
	[160] = "setrlimit", [161] = "chroot", [162] = "sync", [163] = "acct",
	[164] = "settimeofday", [165] = "mount", [166] = "umount2", [167] = "swapon",
	[168] = "swapoff", [169] = "reboot", [170] = "sethostname", [171] = "setdomainname",
	[172] = "iopl", [173] = "ioperm", [174] = "create_module", [175] = "init_module",
	[176] = "delete_module", [177] = "get_kernel_syms", [178] = "query_module",
	[179] = "quotactl", [180] = "nfsservctl", [181] = "getpmsg", [182] = "putpmsg",
	[183] = "afs_syscall", [184] = "tuxcall", [185] = "security", [186] = "gettid",
	[187] = "readahead", [188] = "setxattr", [189] = "lsetxattr", [190] = "fsetxattr",
	[191] = "getxattr", [192] = "lgetxattr", [193] = "fgetxattr", [194] = "listxattr",
	[195] = "llistxattr", [196] = "flistxattr", [197] = "removexattr", [198] = "lremovexattr",
	[199] = "fremovexattr", [200] = "tkill", [201] = "time", [202] = "futex",
	[203] = "sched_setaffinity", [204] = "sched_getaffinity", [205] = "set_thread_area",
	[206] = "io_setup", [207] = "io_destroy", [208] = "io_getevents", [209] = "io_submit",
	[210] = "io_cancel", [211] = "get_thread_area", [212] = "lookup_dcookie",
	[213] = "epoll_create", [214] = "epoll_ctl_old", [215] = "epoll_wait_old",
	[216] = "remap_file_pages", [217] = "getdents64", [218] = "set_tid_address",
	[219] = "restart_syscall", [220] = "semtimedop", [221] = "fadvise64",
	[222] = "timer_create", [223] = "timer_settime", [224] = "timer_gettime",
	[225] = "timer_getoverrun", [226] = "timer_delete", [227] = "clock_settime",
	[228] = "clock_gettime", [229] = "clock_getres", [230] = "clock_nanosleep",
	[231] = "exit_group", [232] = "epoll_wait", [233] = "epoll_ctl", [234] = "tgkill",
	[235] = "utimes", [236] = "vserver", [237] = "mbind", [238] = "set_mempolicy",
	[239] = "get_mempolicy", [240] = "mq_open", [241] = "mq_unlink", [242] = "mq_timedsend",
	[243] = "mq_timedreceive", [244] = "mq_notify", [245] = "mq_getsetattr",
	[246] = "kexec_load", [247] = "waitid", [248] = "add_key", [249] = "request_key",
	[250] = "keyctl", [251] = "ioprio_set", [252] = "ioprio_get", [253] = "inotify_init",
	[254] = "inotify_add_watch", [255] = "inotify_rm_watch", [256] = "migrate_pages",
	[257] = "openat", [258] = "mkdirat", [259] = "mknodat", [260] = "fchownat",
	[261] = "futimesat", [262] = "newfstatat", [263] = "unlinkat", [264] = "renameat",
	[265] = "linkat", [266] = "symlinkat", [267] = "readlinkat", [268] = "fchmodat",
	[269] = "faccessat", [270] = "pselect6", [271] = "ppoll", [272] = "unshare",
	[273] = "set_robust_list", [274] = "get_robust_list", [275] = "splice", [276] = "tee",
	[277] = "sync_file_range", [278] = "vmsplice", [279] = "move_pages", [280] = "utimensat",
	[281] = "epoll_pwait", [282] = "signalfd", [283] = "timerfd_create", [284] = "eventfd",
	[285] = "fallocate", [286] = "timerfd_settime", [287] = "timerfd_gettime",
	[288] = "accept4", [289] = "signalfd4", [290] = "eventfd2", [291] = "epoll_create1",
	[292] = "dup3", [293] = "pipe2", [294] = "inotify_init1", [295] = "preadv",
	[296] = "pwritev", [297] = "rt_tgsigqueueinfo", [298] = "perf_event_open",
	[299] = "recvmmsg", [300] = "fanotify_init", [301] = "fanotify_mark", [302] = "prlimit64",
	[303] = "name_to_handle_at", [304] = "open_by_handle_at", [305] = "clock_adjtime",
	[306] = "syncfs", [307] = "sendmmsg", [308] = "setns", [309] = "getcpu",
	[310] = "process_vm_readv", [311] = "process_vm_writev", [312] = "kcmp",
	[313] = "finit_module", [314] = "sched_setattr", [315] = "sched_getattr",
	[316] = "renameat2", [317] = "seccomp", [318] = "getrandom", [319] = "memfd_create",
	[320] = "kexec_file_load", [321] = "bpf", [322] = "execveat", [323] = "userfaultfd",
	[324] = "membarrier", [325] = "mlock2", [326] = "copy_file_range", [327] = "preadv2",
	[328] = "pwritev2", [329] = "pkey_mprotect", [330] = "pkey_alloc", [331] = "pkey_free",
	[332] = "statx", [333] = "io_pgetevents", [334] = "rseq", [335] = "uretprobe",
	[336] = "uprobe", [424] = "pidfd_send_signal", [425] = "io_uring_setup",
	[426] = "io_uring_enter", [427] = "io_uring_register", [428] = "open_tree",
	[429] = "move_mount", [430] = "fsopen", [431] = "fsconfig", [432] = "fsmount",
	[433] = "fspick", [434] = "pidfd_open", [435] = "clone3", [436] = "close_range",
	[437] = "openat2", [438] = "pidfd_getfd", [439] = "faccessat2", [440] = "process_madvise",
	[441] = "epoll_pwait2", [442] = "mount_setattr", [443] = "quotactl_fd",
	[444] = "landlock_create_ruleset", [445] = "landlock_add_rule",
	[446] = "landlock_restrict_self", [447] = "memfd_secret", [448] = "process_mrelease",
	[449] = "futex_waitv", [450] = "set_mempolicy_home_node", [451] = "cachestat",
	[452] = "fchmodat2", [453] = "map_shadow_stack", [454] = "futex_wake", [455] = "futex_wait",
	[456] = "futex_requeue", [457] = "statmount", [458] = "listmount",
	[459] = "lsm_get_self_attr", [460] = "lsm_set_self_attr", [461] = "lsm_list_modules",
	[462] = "mseal", [463] = "setxattrat", [464] = "getxattrat", [465] = "listxattrat",
	[466] = "removexattrat", [467] = "open_tree_attr", [468] = "file_getattr",
	[469] = "file_setattr", [470] = "listns",
};

static const char *const names_32[] = {
	[0] = "restart_syscall", [1] = "exit", [2] = "fork", [3] = "read", [4] = "write",
	[5] = "open", [6] = "close", [7] = "waitpid", [8] = "creat", [9] = "link", [10] = "unlink",
	[11] = "execve", [12] = "chdir", [13] = "time", [14] = "mknod", [15] = "chmod",
	[16] = "lchown", [17] = "break", [18] = "oldstat", [19] = "lseek", [20] = "getpid",
	[21] = "mount", [22] = "umount", [23] = "setuid", [24] = "getuid", [25] = "stime",
	[26] = "ptrace", [27] = "alarm", [28] = "oldfstat", [29] = "pause", [30] = "utime",
	[31] = "stty", [32] = "gtty", [33] = "access", [34] = "nice", [35] = "ftime", [36] = "sync",
	[37] = "kill", [38] = "rename", [39] = "mkdir", [40] = "rmdir", [41] = "dup", [42] = "pipe",
	[43] = "times", [44] = "prof", [45] = "brk", [46] = "setgid", [47] = "getgid",
	[48] = "signal", [49] = "geteuid", [50] = "getegid", [51] = "acct", [52] = "umount2",
	[53] = "lock", [54] = "ioctl", [55] = "fcntl", [56] = "mpx", [57] = "setpgid",
	[58] = "ulimit", [59] = "oldolduname", [60] = "umask", [61] = "chroot", [62] = "ustat",
	[63] = "dup2", [64] = "getppid", [65] = "getpgrp", [66] = "setsid", [67] = "sigaction",
	[68] = "sgetmask", [69] = "ssetmask", [70] = "setreuid", [71] = "setregid",
	[72] = "sigsuspend", [73] = "sigpending", [74] = "sethostname", [75] = "setrlimit",
	[76] = "getrlimit", [77] = "getrusage", [78] = "gettimeofday", [79] = "settimeofday",
	[80] = "getgroups", [81] = "setgroups", [82] = "select", [83] = "symlink",
	[84] = "oldlstat", [85] = "readlink", [86] = "uselib", [87] = "swapon", [88] = "reboot",
	[89] = "readdir", [90] = "mmap", [91] = "munmap", [92] = "truncate", [93] = "ftruncate",
	[94] = "fchmod", [95] = "fchown", [96] = "getpriority", [97] = "setpriority",
	[98] = "profil", [99] = "statfs", [100] = "fstatfs", [101] = "ioperm", [102] = "socketcall",
	[103] = "syslog", [104] = "setitimer", [105] = "getitimer", [106] = "stat", [107] = "lstat",
	[108] = "fstat", [109] = "olduname", [110] = "iopl", [111] = "vhangup", [112] = "idle",
	[113] = "vm86old", [114] = "wait4", [115] = "swapoff", [116] = "sysinfo", [117] = "ipc",
	[118] = "fsync", [119] = "sigreturn", [120] = "clone", [121] = "setdomainname",
	[122] = "uname", [123] = "modify_ldt", [124] = "adjtimex", [125] = "mprotect",
	[126] = "sigprocmask", [127] = "create_module", [128] = "init_module",
	[129] = "delete_module", [130] = "get_kernel_syms", [131] = "quotactl", [132] = "getpgid",
	[133] = "fchdir", [134] = "bdflush", [135] = "sysfs", [136] = "personality",
	[137] = "afs_syscall", [138] = "setfsuid", [139] = "setfsgid", [140] = "_llseek",
	[141] = "getdents", [142] = "_newselect", [143] = "flock", [144] = "msync", [145] = "readv",
	[146] = "writev", [147] = "getsid", [148] = "fdatasync", [149] = "_sysctl", [150] = "mlock",
	[151] = "munlock", [152] = "mlockall", [153] = "munlockall", [154] = "sched_setparam",
	[155] = "sched_getparam", [156] = "sched_setscheduler", [157] = "sched_getscheduler",
	[158] = "sched_yield", [159] = "sched_get_priority_max", [160] = "sched_get_priority_min",
	[161] = "sched_rr_get_interval", [162] = "nanosleep", [163] = "mremap", [164] = "setresuid",
	[165] = "getresuid", [166] = "vm86", [167] = "query_module", [168] = "poll",
	[169] = "nfsservctl", [170] = "setresgid", [171] = "getresgid", [172] = "prctl",
	[173] = "rt_sigreturn", [174] = "rt_sigaction", [175] = "rt_sigprocmask",
	[176] = "rt_sigpending", [177] = "rt_sigtimedwait", [178] = "rt_sigqueueinfo",
	[179] = "rt_sigsuspend", [180] = "pread64", [181] = "pwrite64", [182] = "chown",
	[183] = "getcwd", [184] = "capget", [185] = "capset", [186] = "sigaltstack",
	[187] = "sendfile", [188] = "getpmsg", [189] = "putpmsg", [190] = "vfork",
	[191] = "ugetrlimit", [192] = "mmap2", [193] = "truncate64", [194] = "ftruncate64",
	[195] = "stat64", [196] = "lstat64", [197] = "fstat64", [198] = "lchown32",
	[199] = "getuid32", [200] = "getgid32", [201] = "geteuid32", [202] = "getegid32",
	[203] = "setreuid32", [204] = "setregid32", [205] = "getgroups32", [206] = "setgroups32",
	[207] = "fchown32", [208] = "setresuid32", [209] = "getresuid32", [210] = "setresgid32",
	[211] = "getresgid32", [212] = "chown32", [213] = "setuid32", [214] = "setgid32",
	[215] = "setfsuid32", [216] = "setfsgid32", [217] = "pivot_root", [218] = "mincore",
	[219] = "madvise", [220] = "getdents64", [221] = "fcntl64", [224] = "gettid",
	[225] = "readahead", [226] = "setxattr", [227] = "lsetxattr", [228] = "fsetxattr",
	[229] = "getxattr", [230] = "lgetxattr", [231] = "fgetxattr", [232] = "listxattr",
	[233] = "llistxattr", [234] = "flistxattr", [235] = "removexattr", [236] = "lremovexattr",
	[237] = "fremovexattr", [238] = "tkill", [239] = "sendfile64", [240] = "futex",
	[241] = "sched_setaffinity", [242] = "sched_getaffinity", [243] = "set_thread_area",
	[244] = "get_thread_area", [245] = "io_setup", [246] = "io_destroy", [247] = "io_getevents",
	[248] = "io_submit", [249] = "io_cancel", [250] = "fadvise64", [252] = "exit_group",
	[253] = "lookup_dcookie", [254] = "epoll_create", [255] = "epoll_ctl", [256] = "epoll_wait",
	[257] = "remap_file_pages", [258] = "set_tid_address", [259] = "timer_create",
	[260] = "timer_settime", [261] = "timer_gettime", [262] = "timer_getoverrun",
	[263] = "timer_delete", [264] = "clock_settime", [265] = "clock_gettime",
	[266] = "clock_getres", [267] = "clock_nanosleep", [268] = "statfs64", [269] = "fstatfs64",
	[270] = "tgkill", [271] = "utimes", [272] = "fadvise64_64", [273] = "vserver",
	[274] = "mbind", [275] = "get_mempolicy", [276] = "set_mempolicy", [277] = "mq_open",
	[278] = "mq_unlink", [279] = "mq_timedsend", [280] = "mq_timedreceive", [281] = "mq_notify",
	[282] = "mq_getsetattr", [283] = "kexec_load", [284] = "waitid", [286] = "add_key",
	[287] = "request_key", [288] = "keyctl", [289] = "ioprio_set", [290] = "ioprio_get",
	[291] = "inotify_init", [292] = "inotify_add_watch", [293] = "inotify_rm_watch",
	[294] = "migrate_pages", [295] = "openat", [296] = "mkdirat", [297] = "mknodat",
	[298] = "fchownat", [299] = "futimesat", [300] = "fstatat64", [301] = "unlinkat",
	[302] = "renameat", [303] = "linkat", [304] = "symlinkat", [305] = "readlinkat",
	[306] = "fchmodat", [307] = "faccessat", [308] = "pselect6", [309] = "ppoll",
	[310] = "unshare", [311] = "set_robust_list", [312] = "get_robust_list", [313] = "splice",
	[314] = "sync_file_range", [315] = "tee", [316] = "vmsplice", [317] = "move_pages",
	[318] = "getcpu", [319] = "epoll_pwait", [320] = "utimensat", [321] = "signalfd",
	[322] = "timerfd_create", [323] = "eventfd", [324] = "fallocate", [325] = "timerfd_settime",
	[326] = "timerfd_gettime", [327] = "signalfd4", [328] = "eventfd2", [329] = "epoll_create1",
	[330] = "dup3", [331] = "pipe2", [332] = "inotify_init1", [333] = "preadv",
	[334] = "pwritev", [335] = "rt_tgsigqueueinfo", [336] = "perf_event_open",
	[337] = "recvmmsg", [338] = "fanotify_init", [339] = "fanotify_mark", [340] = "prlimit64",
	[341] = "name_to_handle_at", [342] = "open_by_handle_at", [343] = "clock_adjtime",
	[344] = "syncfs", [345] = "sendmmsg", [346] = "setns", [347] = "process_vm_readv",
	[348] = "process_vm_writev", [349] = "kcmp", [350] = "finit_module",
	[351] = "sched_setattr", [352] = "sched_getattr", [353] = "renameat2", [354] = "seccomp",
	[355] = "getrandom", [356] = "memfd_create", [357] = "bpf", [358] = "execveat",
	[359] = "socket", [360] = "socketpair", [361] = "bind", [362] = "connect", [363] = "listen",
	[364] = "accept4", [365] = "getsockopt", [366] = "setsockopt", [367] = "getsockname",
	[368] = "getpeername", [369] = "sendto", [370] = "sendmsg", [371] = "recvfrom",
	[372] = "recvmsg", [373] = "shutdown", [374] = "userfaultfd", [375] = "membarrier",
	[376] = "mlock2", [377] = "copy_file_range", [378] = "preadv2", [379] = "pwritev2",
	[380] = "pkey_mprotect", [381] = "pkey_alloc", [382] = "pkey_free", [383] = "statx",
	[384] = "arch_prctl", [385] = "io_pgetevents", [386] = "rseq", [393] = "semget",
	[394] = "semctl", [395] = "shmget", [396] = "shmctl", [397] = "shmat", [398] = "shmdt",
	[399] = "msgget", [400] = "msgsnd", [401] = "msgrcv", [402] = "msgctl",
	[403] = "clock_gettime64", [404] = "clock_settime64", [405] = "clock_adjtime64",
	[406] = "clock_getres_time64", [407] = "clock_nanosleep_time64", [408] = "timer_gettime64",
	[409] = "timer_settime64", [410] = "timerfd_gettime64", [411] = "timerfd_settime64",
	[412] = "utimensat_time64", [413] = "pselect6_time64", [414] = "ppoll_time64",
	[416] = "io_pgetevents_time64", [417] = "recvmmsg_time64", [418] = "mq_timedsend_time64",
	[419] = "mq_timedreceive_time64", [420] = "semtimedop_time64",
	[421] = "rt_sigtimedwait_time64", [422] = "futex_time64",
	[423] = "sched_rr_get_interval_time64", [424] = "pidfd_send_signal",
	[425] = "io_uring_setup", [426] = "io_uring_enter", [427] = "io_uring_register",
	[428] = "open_tree", [429] = "move_mount", [430] = "fsopen", [431] = "fsconfig",
	[432] = "fsmount", [433] = "fspick", [434] = "pidfd_open", [435] = "clone3",
	[436] = "close_range", [437] = "openat2", [438] = "pidfd_getfd", [439] = "faccessat2",
	[440] = "process_madvise", [441] = "epoll_pwait2", [442] = "mount_setattr",
	[443] = "quotactl_fd", [444] = "landlock_create_ruleset", [445] = "landlock_add_rule",
	[446] = "landlock_restrict_self", [447] = "memfd_secret", [448] = "process_mrelease",
	[449] = "futex_waitv", [450] = "set_mempolicy_home_node", [451] = "cachestat",
	[452] = "fchmodat2", [454] = "futex_wake", [455] = "futex_wait", [456] = "futex_requeue",
	[457] = "statmount", [458] = "listmount", [459] = "lsm_get_self_attr",
	[460] = "lsm_set_self_attr", [461] = "lsm_list_modules", [462] = "mseal",
	[463] = "setxattrat", [464] = "getxattrat", [465] = "listxattrat", [466] = "removexattrat",
	[467] = "open_tree_attr", [468] = "file_getattr", [469] = "file_setattr", [470] = "listns",
};

/* x32: its own numbers for the calls whose compat entry differs (x32 nr - 512) ... */
static const char *const names_x32_hi[] = {
	[0] = "rt_sigaction", [1] = "rt_sigreturn", [2] = "ioctl", [3] = "readv", [4] = "writev",
	[5] = "recvfrom", [6] = "sendmsg", [7] = "recvmsg", [8] = "execve", [9] = "ptrace",
	[10] = "rt_sigpending", [11] = "rt_sigtimedwait", [12] = "rt_sigqueueinfo",
	[13] = "sigaltstack", [14] = "timer_create", [15] = "mq_notify", [16] = "kexec_load",
	[17] = "waitid", [18] = "set_robust_list", [19] = "get_robust_list", [20] = "vmsplice",
	[21] = "move_pages", [22] = "preadv", [23] = "pwritev", [24] = "rt_tgsigqueueinfo",
	[25] = "recvmmsg", [26] = "sendmmsg", [27] = "process_vm_readv", [28] = "process_vm_writev",
	[29] = "setsockopt", [30] = "getsockopt", [31] = "io_setup", [32] = "io_submit",
	[33] = "execveat", [34] = "preadv2", [35] = "pwritev2",
};

/* ... and these x86_64 numbers are 64-bit only (syscall_64.tbl "64" entries): not x32 calls. */
static const uint16_t x32_not_valid[] = {
	13,  15,  16,  19,  20,  45,  46,  47,  54,  55,  59,  101, 127, 128, 129, 131,
	134, 156, 174, 177, 178, 180, 205, 206, 209, 211, 214, 215, 222, 236, 244, 246,
	247, 273, 274, 278, 279, 295, 296, 297, 299, 307, 310, 311, 322, 327, 328,
};

#define X32_HI_BASE 512

/* asm-generic/errno-base.h and errno.h (EWOULDBLOCK and EDEADLOCK are aliases) */
static const char *const errno_names[] = {
	[1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO",
	[7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN",
	[12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [15] = "ENOTBLK", [16] = "EBUSY",
	[17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR",
	[22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [25] = "ENOTTY", [26] = "ETXTBSY",
	[27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS", [31] = "EMLINK",
	[32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [35] = "EDEADLK", [36] = "ENAMETOOLONG",
	[37] = "ENOLCK", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [42] = "ENOMSG",
	[43] = "EIDRM", [44] = "ECHRNG", [45] = "EL2NSYNC", [46] = "EL3HLT", [47] = "EL3RST",
	[48] = "ELNRNG", [49] = "EUNATCH", [50] = "ENOCSI", [51] = "EL2HLT", [52] = "EBADE",
	[53] = "EBADR", [54] = "EXFULL", [55] = "ENOANO", [56] = "EBADRQC", [57] = "EBADSLT",
	[59] = "EBFONT", [60] = "ENOSTR", [61] = "ENODATA", [62] = "ETIME", [63] = "ENOSR",
	[64] = "ENONET", [65] = "ENOPKG", [66] = "EREMOTE", [67] = "ENOLINK", [68] = "EADV",
	[69] = "ESRMNT", [70] = "ECOMM", [71] = "EPROTO", [72] = "EMULTIHOP", [73] = "EDOTDOT",
	[74] = "EBADMSG", [75] = "EOVERFLOW", [76] = "ENOTUNIQ", [77] = "EBADFD", [78] = "EREMCHG",
	[79] = "ELIBACC", [80] = "ELIBBAD", [81] = "ELIBSCN", [82] = "ELIBMAX", [83] = "ELIBEXEC",
	[84] = "EILSEQ", [85] = "ERESTART", [86] = "ESTRPIPE", [87] = "EUSERS", [88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ", [90] = "EMSGSIZE", [91] = "EPROTOTYPE", [92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT", [94] = "ESOCKTNOSUPPORT", [95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT", [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN", [101] = "ENETUNREACH", [102] = "ENETRESET", [103] = "ECONNABORTED",
	[104] = "ECONNRESET", [105] = "ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN",
	[108] = "ESHUTDOWN", [109] = "ETOOMANYREFS", [110] = "ETIMEDOUT", [111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN", [113] = "EHOSTUNREACH", [114] = "EALREADY", [115] = "EINPROGRESS",
	[116] = "ESTALE", [117] = "EUCLEAN", [118] = "ENOTNAM", [119] = "ENAVAIL", [120] = "EISNAM",
	[121] = "EREMOTEIO", [122] = "EDQUOT", [123] = "ENOMEDIUM", [124] = "EMEDIUMTYPE",
	[125] = "ECANCELED", [126] = "ENOKEY", [127] = "EKEYEXPIRED", [128] = "EKEYREVOKED",
	[129] = "EKEYREJECTED", [130] = "EOWNERDEAD", [131] = "ENOTRECOVERABLE", [132] = "ERFKILL",
	[133] = "EHWPOISON",
};

/* include/linux/errno.h: kernel-internal values a raw sys_exit can still see, from 512 */
#define KERNEL_ERRNO_BASE 512
static const char *const kernel_errno_names[] = {
	[0] = "ERESTARTSYS",	 [1] = "ERESTARTNOINTR", [2] = "ERESTARTNOHAND",
	[3] = "ENOIOCTLCMD",	 [4] = "ERESTART_RESTARTBLOCK", [5] = "EPROBE_DEFER",
	[6] = "EOPENSTALE",	 [7] = "ENOPARAM",	 [9] = "EBADHANDLE",
	[10] = "ENOTSYNC",	 [11] = "EBADCOOKIE",	 [12] = "ENOTSUPP",
	[13] = "ETOOSMALL",	 [14] = "ESERVERFAULT",	 [15] = "EBADTYPE",
	[16] = "EJUKEBOX",	 [17] = "EIOCBQUEUED",	 [18] = "ERECALLCONFLICT",
	[19] = "ENOGRACE",
};

/* x86 signal numbers, for clone()'s exit signal */
static const char *const signal_names[] = {
	[1] = "SIGHUP",	   [2] = "SIGINT",     [3] = "SIGQUIT",	   [4] = "SIGILL",
	[5] = "SIGTRAP",   [6] = "SIGABRT",    [7] = "SIGBUS",	   [8] = "SIGFPE",
	[9] = "SIGKILL",   [10] = "SIGUSR1",   [11] = "SIGSEGV",   [12] = "SIGUSR2",
	[13] = "SIGPIPE",  [14] = "SIGALRM",   [15] = "SIGTERM",   [16] = "SIGSTKFLT",
	[17] = "SIGCHLD",  [18] = "SIGCONT",   [19] = "SIGSTOP",   [20] = "SIGTSTP",
	[21] = "SIGTTIN",  [22] = "SIGTTOU",   [23] = "SIGURG",	   [24] = "SIGXCPU",
	[25] = "SIGXFSZ",  [26] = "SIGVTALRM", [27] = "SIGPROF",   [28] = "SIGWINCH",
	[29] = "SIGIO",	   [30] = "SIGPWR",    [31] = "SIGSYS",
};

/* ---- arguments: names as in the man pages, formats by meaning ---- */

#define A(n, f) { n, SC_FMT_##f }
#define SPEC(nm, ...)                                                                        \
	{ .name = nm, .nargs = ARRAY_SIZE(((struct sc_arg[]){ __VA_ARGS__ })),                 \
	  .args = { __VA_ARGS__ }, .known = true }

/* By name, for every ABI whose table has the name (the 64-bit argument order). */
static const struct sc_desc specs[] = {
	SPEC("read", A("fd", FD), A("buf", HEX), A("count", UDEC)),
	SPEC("write", A("fd", FD), A("buf", HEX), A("count", UDEC)),
	SPEC("pread64", A("fd", FD), A("buf", HEX), A("count", UDEC), A("offset", DEC)),
	SPEC("pwrite64", A("fd", FD), A("buf", HEX), A("count", UDEC), A("offset", DEC)),
	SPEC("open", A("pathname", HEX), A("flags", HEX), A("mode", OCT)),
	SPEC("openat", A("dirfd", FD), A("pathname", HEX), A("flags", HEX), A("mode", OCT)),
	SPEC("close", A("fd", FD)),
	SPEC("ioctl", A("fd", FD), A("request", HEX), A("arg", HEX)),
	SPEC("fcntl", A("fd", FD), A("cmd", DEC), A("arg", HEX)),
	SPEC("pipe2", A("pipefd", HEX), A("flags", HEX)),
	SPEC("socket", A("domain", DEC), A("type", HEX), A("protocol", DEC)),
	SPEC("mmap", A("addr", HEX), A("length", UDEC), A("prot", MMAP_PROT),
	     A("flags", MMAP_FLAGS), A("fd", FD), A("offset", UDEC)),
	SPEC("munmap", A("addr", HEX), A("length", UDEC)),
	SPEC("mprotect", A("addr", HEX), A("len", UDEC), A("prot", MMAP_PROT)),
	SPEC("pkey_mprotect", A("addr", HEX), A("len", UDEC), A("prot", MMAP_PROT),
	     A("pkey", DEC)),
	SPEC("brk", A("addr", HEX)),
	SPEC("mremap", A("old_address", HEX), A("old_size", UDEC), A("new_size", UDEC),
	     A("flags", MREMAP_FLAGS), A("new_address", HEX)),
	SPEC("msync", A("addr", HEX), A("length", UDEC), A("flags", HEX)),
	SPEC("madvise", A("addr", HEX), A("length", UDEC), A("advice", MADVISE)),
	SPEC("process_madvise", A("pidfd", FD), A("iovec", HEX), A("vlen", UDEC),
	     A("advice", MADVISE), A("flags", HEX)),
	SPEC("mlock", A("addr", HEX), A("len", UDEC)),
	SPEC("munlock", A("addr", HEX), A("len", UDEC)),
	SPEC("mlock2", A("addr", HEX), A("len", UDEC), A("flags", MLOCK2_FLAGS)),
	SPEC("mlockall", A("flags", MLOCKALL_FLAGS)),
	SPEC("munlockall"),
	SPEC("mseal", A("addr", HEX), A("len", UDEC), A("flags", HEX)),
	SPEC("map_shadow_stack", A("addr", HEX), A("size", UDEC), A("flags", HEX)),
	SPEC("mbind", A("addr", HEX), A("len", UDEC), A("mode", DEC), A("nodemask", HEX),
	     A("maxnode", UDEC), A("flags", HEX)),
	SPEC("set_mempolicy", A("mode", DEC), A("nodemask", HEX), A("maxnode", UDEC)),
	SPEC("memfd_create", A("name", HEX), A("flags", HEX)),
	SPEC("userfaultfd", A("flags", HEX)),
	SPEC("shmget", A("key", DEC), A("size", UDEC), A("shmflg", SHMGET_FLAGS)),
	SPEC("shmat", A("shmid", DEC), A("shmaddr", HEX), A("shmflg", HEX)),
	SPEC("clone", A("flags", CLONE_FLAGS), A("newsp", HEX), A("parent_tid", HEX),
	     A("child_tid", HEX), A("tls", HEX)),
	SPEC("clone3", A("uargs", HEX), A("size", UDEC)),
	SPEC("fork"),
	SPEC("vfork"),
	SPEC("execve", A("pathname", HEX), A("argv", HEX), A("envp", HEX)),
	SPEC("execveat", A("dirfd", FD), A("pathname", HEX), A("argv", HEX), A("envp", HEX),
	     A("flags", HEX)),
	SPEC("io_uring_setup", A("entries", UDEC), A("p", HEX)),
	SPEC("bpf", A("cmd", DEC), A("attr", HEX), A("size", UDEC)),
	SPEC("perf_event_open", A("attr", HEX), A("pid", DEC), A("cpu", DEC), A("group_fd", FD),
	     A("flags", HEX)),
};

/* ia32 calls whose arguments differ from the 64-bit call of the same name. */
static const struct sc_desc specs_ia32[] = {
	/* old_mmap: the six arguments sit in a struct mmap_arg_struct in user memory */
	SPEC("mmap", A("arg", HEX)),
	SPEC("mmap2", A("addr", HEX), A("length", UDEC), A("prot", MMAP_PROT),
	     A("flags", MMAP_FLAGS), A("fd", FD), A("pgoffset", UDEC)),
	/* CONFIG_CLONE_BACKWARDS: tls before child_tid */
	SPEC("clone", A("flags", CLONE_FLAGS), A("newsp", HEX), A("parent_tid", HEX),
	     A("tls", HEX), A("child_tid", HEX)),
	SPEC("ipc", A("call", DEC), A("first", DEC), A("second", DEC), A("third", DEC),
	     A("ptr", HEX), A("fifth", DEC)),
};

static const char *const raw_arg_names[] = { "arg0", "arg1", "arg2", "arg3", "arg4", "arg5" };

/* ---- the per-ABI descriptions, built once ---- */

static struct sc_desc descs_64[ARRAY_SIZE(names_64)];
static struct sc_desc descs_32[ARRAY_SIZE(names_32)];
static struct sc_desc descs_x32[X32_HI_BASE + ARRAY_SIZE(names_x32_hi)];
static pthread_once_t descs_once = PTHREAD_ONCE_INIT;

static bool x32_valid(long nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(x32_not_valid); i++)
		if (x32_not_valid[i] == nr)
			return false;
	return true;
}

static const char *table_name(const char *const *names, size_t n, long nr)
{
	return nr >= 0 && (size_t)nr < n ? names[nr] : NULL;
}

static const char *name_of(long nr, enum sc_abi abi)
{
	switch (abi) {
	case SC_ABI_IA32:
		return table_name(names_32, ARRAY_SIZE(names_32), nr);
	case SC_ABI_X32:
		if (nr >= X32_HI_BASE)
			return table_name(names_x32_hi, ARRAY_SIZE(names_x32_hi), nr - X32_HI_BASE);
		return x32_valid(nr) ? table_name(names_64, ARRAY_SIZE(names_64), nr) : NULL;
	default:
		return table_name(names_64, ARRAY_SIZE(names_64), nr);
	}
}

static const struct sc_desc *find_spec(const struct sc_desc *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

static void raw_desc(struct sc_desc *d, const char *name, bool known)
{
	d->name = name;
	d->nargs = AF_NR_SCARGS;
	for (int i = 0; i < AF_NR_SCARGS; i++)
		d->args[i] = (struct sc_arg){ raw_arg_names[i], SC_FMT_HEX };
	d->known = known;
}

static void build_descs(struct sc_desc *descs, size_t n, enum sc_abi abi)
{
	for (size_t nr = 0; nr < n; nr++) {
		const char *name = name_of(nr, abi);
		const struct sc_desc *spec = NULL;

		if (!name)
			continue;
		if (abi == SC_ABI_IA32)
			spec = find_spec(specs_ia32, ARRAY_SIZE(specs_ia32), name);
		if (!spec)
			spec = find_spec(specs, ARRAY_SIZE(specs), name);
		if (spec)
			descs[nr] = *spec;
		else
			raw_desc(&descs[nr], name, true);
	}
}

static void build_all(void)
{
	build_descs(descs_64, ARRAY_SIZE(descs_64), SC_ABI_X86_64);
	build_descs(descs_32, ARRAY_SIZE(descs_32), SC_ABI_IA32);
	build_descs(descs_x32, ARRAY_SIZE(descs_x32), SC_ABI_X32);
}

const struct sc_desc *syscall_table__describe(long nr, enum sc_abi abi)
{
	static __thread struct sc_desc unknown;
	static __thread char unknown_name[32];
	struct sc_desc *descs = abi == SC_ABI_IA32 ? descs_32 :
				abi == SC_ABI_X32  ? descs_x32 :
						     descs_64;
	size_t n = abi == SC_ABI_IA32 ? ARRAY_SIZE(descs_32) :
		   abi == SC_ABI_X32  ? ARRAY_SIZE(descs_x32) :
					ARRAY_SIZE(descs_64);

	pthread_once(&descs_once, build_all);
	if (nr >= 0 && (size_t)nr < n && descs[nr].name)
		return &descs[nr];
	snprintf(unknown_name, sizeof(unknown_name), "syscall_%ld", nr);
	raw_desc(&unknown, unknown_name, false);
	return &unknown;
}

long syscall_table__nr(const char *name, enum sc_abi abi)
{
	long max = abi == SC_ABI_IA32 ? (long)ARRAY_SIZE(names_32) :
		   abi == SC_ABI_X32  ? X32_HI_BASE + (long)ARRAY_SIZE(names_x32_hi) :
					(long)ARRAY_SIZE(names_64);

	for (long nr = 0; name && nr < max; nr++) {
		const char *n = name_of(nr, abi);

		if (n && !strcmp(n, name))
			return nr;
	}
	return -1;
}

enum sc_abi syscall_table__abi(uint32_t af_sc_flags)
{
	if (af_sc_flags & AF_SC_IA32)
		return SC_ABI_IA32;
	return af_sc_flags & AF_SC_X32 ? SC_ABI_X32 : SC_ABI_X86_64;
}

const char *syscall_table__abi_name(enum sc_abi abi)
{
	return abi == SC_ABI_IA32 ? "ia32" : abi == SC_ABI_X32 ? "x32" : "x86_64";
}

const char *syscall_table__errno_name(int err)
{
	if (err > 0 && (size_t)err < ARRAY_SIZE(errno_names))
		return errno_names[err];
	err -= KERNEL_ERRNO_BASE;
	if (err >= 0 && (size_t)err < ARRAY_SIZE(kernel_errno_names))
		return kernel_errno_names[err];
	return NULL;
}

/* ---- argument values ---- */

/* uapi values (asm-generic/mman-common.h, asm/mman.h, linux/mman.h, linux/sched.h,
 * linux/ipc.h, linux/shm.h), kept here so the decoding does not follow the build host's
 * headers; the unit test decodes the C library's constants with them. */
#define MAP_TYPE_ 0x0fULL
#define MAP_HUGETLB_ 0x40000ULL
#define HUGE_SHIFT_ 26 /* MAP_HUGE_SHIFT, SHM_HUGE_SHIFT */
#define HUGE_MASK_ (0x3fULL << HUGE_SHIFT_)
#define CSIGNAL_ 0xffULL
#define SHM_HUGETLB_ 04000ULL
#define SHM_MODE_ 0777ULL

/* snprintf-like appending: pos counts what would have been written. */
struct sb {
	char *buf;
	size_t len;
	size_t pos;
	unsigned int parts; /* '|'-joined parts so far */
};

static void sb_vprintf(struct sb *b, const char *fmt, va_list ap)
{
	size_t room = b->pos < b->len ? b->len - b->pos : 0;
	int n = vsnprintf(room ? b->buf + b->pos : NULL, room, fmt, ap);

	if (n > 0)
		b->pos += n;
}

static __attribute__((format(printf, 2, 3))) void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* One part of a flag set: "|" before all but the first. */
static __attribute__((format(printf, 2, 3))) void sb_part(struct sb *b, const char *fmt, ...)
{
	va_list ap;

	if (b->parts++)
		sb_printf(b, "|");
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

struct flag {
	uint64_t mask;
	const char *name;
};

#define F(name, v) { v, #name }

static const struct flag prot_flags[] = {
	F(PROT_READ, 0x1), F(PROT_WRITE, 0x2), F(PROT_EXEC, 0x4), F(PROT_SEM, 0x8),
	F(PROT_GROWSDOWN, 0x01000000), F(PROT_GROWSUP, 0x02000000),
};

static const char *const map_types[16] = {
	[0x1] = "MAP_SHARED", [0x2] = "MAP_PRIVATE", [0x3] = "MAP_SHARED_VALIDATE",
	[0x8] = "MAP_DROPPABLE",
};

static const struct flag map_flags[] = {
	F(MAP_FIXED, 0x10),	    F(MAP_ANONYMOUS, 0x20),    F(MAP_32BIT, 0x40),
	F(MAP_GROWSDOWN, 0x100),    F(MAP_DENYWRITE, 0x800),   F(MAP_EXECUTABLE, 0x1000),
	F(MAP_LOCKED, 0x2000),	    F(MAP_NORESERVE, 0x4000),  F(MAP_POPULATE, 0x8000),
	F(MAP_NONBLOCK, 0x10000),   F(MAP_STACK, 0x20000),     F(MAP_HUGETLB, 0x40000),
	F(MAP_SYNC, 0x80000),	    F(MAP_FIXED_NOREPLACE, 0x100000),
	F(MAP_UNINITIALIZED, 0x4000000), /* bit 26: the huge page size field under HUGETLB */
};

static const struct flag mremap_flags[] = {
	F(MREMAP_MAYMOVE, 1), F(MREMAP_FIXED, 2), F(MREMAP_DONTUNMAP, 4),
};

static const struct flag mlock2_flags[] = { F(MLOCK_ONFAULT, 1) };

static const struct flag mcl_flags[] = { F(MCL_CURRENT, 1), F(MCL_FUTURE, 2), F(MCL_ONFAULT, 4) };

static const struct flag clone_flags[] = {
	F(CLONE_VM, 0x100),		  F(CLONE_FS, 0x200),
	F(CLONE_FILES, 0x400),		  F(CLONE_SIGHAND, 0x800),
	F(CLONE_PIDFD, 0x1000),		  F(CLONE_PTRACE, 0x2000),
	F(CLONE_VFORK, 0x4000),		  F(CLONE_PARENT, 0x8000),
	F(CLONE_THREAD, 0x10000),	  F(CLONE_NEWNS, 0x20000),
	F(CLONE_SYSVSEM, 0x40000),	  F(CLONE_SETTLS, 0x80000),
	F(CLONE_PARENT_SETTID, 0x100000), F(CLONE_CHILD_CLEARTID, 0x200000),
	F(CLONE_DETACHED, 0x400000),	  F(CLONE_UNTRACED, 0x800000),
	F(CLONE_CHILD_SETTID, 0x1000000), F(CLONE_NEWCGROUP, 0x2000000),
	F(CLONE_NEWUTS, 0x4000000),	  F(CLONE_NEWIPC, 0x8000000),
	F(CLONE_NEWUSER, 0x10000000),	  F(CLONE_NEWPID, 0x20000000),
	F(CLONE_NEWNET, 0x40000000),	  F(CLONE_IO, 0x80000000),
	F(CLONE_CLEAR_SIGHAND, 0x100000000), F(CLONE_INTO_CGROUP, 0x200000000),
};

static const struct flag shm_flags[] = {
	F(IPC_CREAT, 01000), F(IPC_EXCL, 02000), F(SHM_HUGETLB, 04000), F(SHM_NORESERVE, 010000),
};

static const char *const madv_names[] = {
	[0] = "MADV_NORMAL",	     [1] = "MADV_RANDOM",	   [2] = "MADV_SEQUENTIAL",
	[3] = "MADV_WILLNEED",	     [4] = "MADV_DONTNEED",	   [8] = "MADV_FREE",
	[9] = "MADV_REMOVE",	     [10] = "MADV_DONTFORK",	   [11] = "MADV_DOFORK",
	[12] = "MADV_MERGEABLE",     [13] = "MADV_UNMERGEABLE",	   [14] = "MADV_HUGEPAGE",
	[15] = "MADV_NOHUGEPAGE",    [16] = "MADV_DONTDUMP",	   [17] = "MADV_DODUMP",
	[18] = "MADV_WIPEONFORK",    [19] = "MADV_KEEPONFORK",	   [20] = "MADV_COLD",
	[21] = "MADV_PAGEOUT",	     [22] = "MADV_POPULATE_READ",  [23] = "MADV_POPULATE_WRITE",
	[24] = "MADV_DONTNEED_LOCKED", [25] = "MADV_COLLAPSE",	   [100] = "MADV_HWPOISON",
	[101] = "MADV_SOFT_OFFLINE", [102] = "MADV_GUARD_INSTALL", [103] = "MADV_GUARD_REMOVE",
};

/* Names of the set flags; returns the bits no name covers. */
static uint64_t put_flags(struct sb *b, uint64_t v, const struct flag *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v & t[i].mask) {
			sb_part(b, "%s", t[i].name);
			v &= ~t[i].mask;
		}
	}
	return v;
}

/* Bits without a name in hex; "0" for an empty set. */
static void put_rest(struct sb *b, uint64_t rest)
{
	if (rest)
		sb_part(b, "0x%" PRIx64, rest);
	else if (!b->parts)
		sb_part(b, "0");
}

/* The huge page size field (log2 of the size): MAP_HUGE_2MB, SHM_HUGE_1GB. */
static void put_huge(struct sb *b, const char *prefix, uint64_t field)
{
	static const char *const unit[] = { "B", "KB", "MB", "GB", "TB", "PB", "EB" };
	unsigned int shift = field >> HUGE_SHIFT_;

	sb_part(b, "%s%llu%s", prefix, 1ULL << (shift % 10), unit[shift / 10]);
}

static void put_map_flags(struct sb *b, uint64_t v)
{
	uint64_t huge = 0;

	if (map_types[v & MAP_TYPE_]) {
		sb_part(b, "%s", map_types[v & MAP_TYPE_]);
		v &= ~MAP_TYPE_;
	}
	/* MAP_HUGE_SHIFT bits say the page size only with MAP_HUGETLB */
	if (v & MAP_HUGETLB_) {
		huge = v & HUGE_MASK_;
		v &= ~HUGE_MASK_;
	}
	v = put_flags(b, v, map_flags, ARRAY_SIZE(map_flags));
	if (huge)
		put_huge(b, "MAP_HUGE_", huge);
	put_rest(b, v);
}

static void put_clone_flags(struct sb *b, uint64_t v)
{
	unsigned int sig = v & CSIGNAL_;
	uint64_t rest = put_flags(b, v & ~CSIGNAL_, clone_flags, ARRAY_SIZE(clone_flags));

	if (sig && sig < ARRAY_SIZE(signal_names))
		sb_part(b, "%s", signal_names[sig]);
	else if (sig)
		sb_part(b, "SIG%u", sig);
	put_rest(b, rest);
}

static void put_shm_flags(struct sb *b, uint64_t v)
{
	unsigned int mode = v & SHM_MODE_;
	uint64_t huge = 0;

	v &= ~SHM_MODE_;
	if (v & SHM_HUGETLB_) {
		huge = v & HUGE_MASK_;
		v &= ~HUGE_MASK_;
	}
	v = put_flags(b, v, shm_flags, ARRAY_SIZE(shm_flags));
	if (huge)
		put_huge(b, "SHM_HUGE_", huge);
	if (v)
		sb_part(b, "0x%" PRIx64, v);
	sb_part(b, "%#o", mode);
}

static void put_madvise(struct sb *b, uint64_t v)
{
	if (v < ARRAY_SIZE(madv_names) && madv_names[v])
		sb_printf(b, "%s", madv_names[v]);
	else
		sb_printf(b, "0x%" PRIx64, v);
}

static void put_arg(struct sb *b, enum sc_fmt fmt, uint64_t v, bool is32)
{
	b->parts = 0;
	switch (fmt) {
	case SC_FMT_DEC:
		sb_printf(b, "%" PRId64, is32 ? (int64_t)(int32_t)v : (int64_t)v);
		break;
	case SC_FMT_UDEC:
		sb_printf(b, "%" PRIu64, v);
		break;
	case SC_FMT_FD:
		sb_printf(b, "%d", (int32_t)v); /* an int in every ABI */
		break;
	case SC_FMT_OCT:
		sb_printf(b, "%#" PRIo64, v);
		break;
	case SC_FMT_MMAP_PROT:
		if (!v)
			sb_part(b, "PROT_NONE");
		put_rest(b, put_flags(b, v, prot_flags, ARRAY_SIZE(prot_flags)));
		break;
	case SC_FMT_MMAP_FLAGS:
		put_map_flags(b, v);
		break;
	case SC_FMT_MREMAP_FLAGS:
		put_rest(b, put_flags(b, v, mremap_flags, ARRAY_SIZE(mremap_flags)));
		break;
	case SC_FMT_MLOCK2_FLAGS:
		put_rest(b, put_flags(b, v, mlock2_flags, ARRAY_SIZE(mlock2_flags)));
		break;
	case SC_FMT_MLOCKALL_FLAGS:
		put_rest(b, put_flags(b, v, mcl_flags, ARRAY_SIZE(mcl_flags)));
		break;
	case SC_FMT_CLONE_FLAGS:
		put_clone_flags(b, v);
		break;
	case SC_FMT_SHMGET_FLAGS:
		put_shm_flags(b, v);
		break;
	case SC_FMT_MADVISE:
		put_madvise(b, v);
		break;
	case SC_FMT_HEX:
	default:
		sb_printf(b, "0x%" PRIx64, v);
		break;
	}
}

int syscall_table__format_arg(enum sc_fmt fmt, uint64_t value, bool is32, char *buf, size_t len)
{
	struct sb b = { .buf = buf, .len = len };

	if (len)
		buf[0] = '\0';
	put_arg(&b, fmt, value, is32);
	return b.pos;
}

struct json_object *syscall_table__arg_json(enum sc_fmt fmt, uint64_t value, bool is32)
{
	char text[512];

	switch (fmt) {
	case SC_FMT_DEC:
		return json_object_new_int64(is32 ? (int64_t)(int32_t)value : (int64_t)value);
	case SC_FMT_UDEC:
		return json_object_new_uint64(value);
	case SC_FMT_FD:
		return json_object_new_int((int32_t)value);
	default:
		syscall_table__format_arg(fmt, value, is32, text, sizeof(text));
		return json_object_new_string(text);
	}
}

/* ---- a failed call ---- */

uint64_t syscall_table__arg(const struct af_syscall *sc, int i)
{
	if (i < 0 || i >= AF_NR_SCARGS)
		return 0;
	return sc->flags & AF_SC_IA32 ? (uint32_t)sc->args[i] : sc->args[i];
}

static bool is_error(int64_t ret)
{
	return ret < 0 && ret >= -4095; /* IS_ERR_VALUE */
}

const char *syscall_table__errno_of(const struct af_syscall *sc)
{
	static __thread char unnamed[24];
	const char *name;

	if (sc->flags & AF_SC_BRK_SILENT)
		return "ENOMEM";
	if (!is_error(sc->ret))
		return NULL;
	name = syscall_table__errno_name(-sc->ret);
	if (name)
		return name;
	snprintf(unnamed, sizeof(unnamed), "errno_%d", (int)-sc->ret);
	return unnamed;
}

static void put_ret(struct sb *b, const struct af_syscall *sc)
{
	const char *name = is_error(sc->ret) ? syscall_table__errno_name(-sc->ret) : NULL;

	if (sc->flags & AF_SC_BRK_SILENT)
		sb_printf(b, "0x%" PRIx64 " (no errno; failed: ENOMEM as glibc reports)",
			  (uint64_t)sc->ret);
	else if (name)
		sb_printf(b, "-%s", name);
	else
		sb_printf(b, "%" PRId64, (int64_t)sc->ret);
}

int syscall_table__format_call(const struct af_syscall *sc, char *buf, size_t len)
{
	enum sc_abi abi = syscall_table__abi(sc->flags);
	const struct sc_desc *d = syscall_table__describe(sc->nr, abi);
	bool is32 = abi == SC_ABI_IA32;
	struct sb b = { .buf = buf, .len = len };

	if (len)
		buf[0] = '\0';
	sb_printf(&b, "%s(", d->name);
	for (int i = 0; i < d->nargs; i++) {
		sb_printf(&b, "%s%s=", i ? ", " : "", d->args[i].name);
		put_arg(&b, d->args[i].fmt, syscall_table__arg(sc, i), is32);
	}
	sb_printf(&b, ") = ");
	put_ret(&b, sc);
	return b.pos;
}

static struct json_object *args_json(const struct af_syscall *sc, const struct sc_desc *d,
				     bool is32)
{
	struct json_object *args = json_object_new_object();

	for (int i = 0; args && i < d->nargs; i++) {
		struct json_object *v = syscall_table__arg_json(d->args[i].fmt,
								 syscall_table__arg(sc, i), is32);

		if (!v || json_object_object_add(args, d->args[i].name, v)) {
			json_object_put(v);
			json_object_put(args);
			return NULL;
		}
	}
	return args;
}

struct json_object *syscall_table__call_json(const struct af_syscall *sc)
{
	enum sc_abi abi = syscall_table__abi(sc->flags);
	const struct sc_desc *d = syscall_table__describe(sc->nr, abi);
	struct json_object *o = json_object_new_object();
	struct json_object *args = args_json(sc, d, abi == SC_ABI_IA32);
	const char *err = syscall_table__errno_of(sc);

	if (!o || !args) {
		json_object_put(o);
		json_object_put(args);
		return NULL;
	}
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "nr", json_object_new_int64(sc->nr));
	json_object_object_add(o, "abi", json_object_new_string(syscall_table__abi_name(abi)));
	json_object_object_add(o, "args", args);
	json_object_object_add(o, "ret", json_object_new_int64(sc->ret));
	json_object_object_add(o, "errno", err ? json_object_new_string(err) : NULL);
	json_object_object_add(o, "silent",
			       json_object_new_boolean(!!(sc->flags & AF_SC_BRK_SILENT)));
	return o;
}
