/* The hypervisor's register frames for a trapped load or store, checked from the guest (frames.c). */
#ifndef FRAMES_H
#define FRAMES_H

void check_trap_frames(void);

#endif
