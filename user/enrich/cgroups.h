/* SPDX-License-Identifier: GPL-2.0 */
/* Cgroup hierarchies (v1 and v2): kernfs ids to paths, and --cgroup paths to filter targets. */
#ifndef ALLOCFAIL_CGROUPS_H
#define ALLOCFAIL_CGROUPS_H

#include <stddef.h>
#include <stdint.h>

struct cgroups;

struct cgroups *cgroups__new(void);
void cgroups__free(struct cgroups *cg); /* NULL-safe */

/* The path shown for an event, relative to its hierarchy's root ("/app/worker"): the memory
 * controller's cgroup when memory is on a v1 hierarchy, else the v2 cgroup. NULL if unknown. */
const char *cgroups__event_path(struct cgroups *cg, uint64_t cgroup_id, uint64_t memcg_id);

/* Path of memory cgroup memcg_id relative to its hierarchy's root; NULL if unknown. */
const char *cgroups__memcg_path(struct cgroups *cg, uint64_t memcg_id);

/* Version (1 or 2) of the hierarchy holding the memory controller; 0 if none is mounted. */
int cgroups__memcg_version(struct cgroups *cg);

/* Absolute directory of memory cgroup memcg_id and its hierarchy version (1 or 2). */
const char *cgroups__memcg_dir(struct cgroups *cg, uint64_t memcg_id, int *version);

/* A --cgroup directory as the BPF filter wants it: its kernfs id, and the subsys id of a v1
 * hierarchy's controller (-1 for v2). 0, or -errno with one line in why. */
int cgroups__filter_target(const char *path, uint64_t *id, int *ssid, char *why, size_t len);

#endif
