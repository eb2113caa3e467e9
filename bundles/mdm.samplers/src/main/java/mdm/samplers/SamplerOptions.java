package mdm.samplers;

import mdm.api.diffusion.SamplingRequest;
import mdm.core.config.Json;
import mdm.diffusion.TimeGrid;

/** Reading a request's options strictly, and the grid every sampler walks. */
final class SamplerOptions {
    private SamplerOptions() {
    }

    static <T> T bind(SamplingRequest request, Class<T> type, String sampler) {
        return Json.bind(request.options(), type, sampler + " sampler options");
    }

    static int[] grid(SamplingRequest request, String spacing) {
        int steps = request.levels().isEmpty() ? 0 : request.levels().get(0).steps();
        return TimeGrid.of(TimeGrid.Spacing.parse(spacing), steps, request.steps());
    }
}
