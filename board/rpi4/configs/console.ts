// QEMU virt's console-input config (board/qemu-virt-gicv3/configs/console.ts), moved to the RPi4's RAM
// (board/rpi4/from-virt.ts): three VMs share the one UART's input, the focus moved by Ctrl-\ three times.
import virt from "../../qemu-virt-gicv3/configs/console.ts";
import { fromVirt } from "../from-virt.ts";

export default fromVirt(virt);
