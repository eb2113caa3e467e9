package mdm.core.runtime;

import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's gradient mode is per thread and on by default; DJL turns it off only on the thread
 * that started the engine. Every other thread that touches tensors outside a gradient collector
 * (training jobs, samplers called from the shell, data workers) must turn it off itself, or
 * in-place updates of parameters fail and inference records graphs it never frees.
 */
public final class GradMode {
    private GradMode() {
    }

    /** Turns recording off for the calling thread. */
    public static void disable() {
        JniUtils.setGradMode(false);
    }

    /** Whether the calling thread records operations for autograd. */
    public static boolean enabled() {
        return JniUtils.isGradMode();
    }
}
