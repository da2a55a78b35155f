// The restart benchmark's VM (bench-restart.ts) with its RAM left as it was on restart.
import { benchRestart } from "./bench-restart.ts";

export default benchRestart("qemu-virt-gicv3", false);
