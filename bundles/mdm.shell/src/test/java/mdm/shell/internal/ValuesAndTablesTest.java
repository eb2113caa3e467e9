package mdm.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the shell reads option values and lays out what it prints. */
class ValuesAndTablesTest {
    @Test
    void optionValuesAreCheckedWithTheOptionNamed() {
        assertEquals(40, TrainCommands.positiveLong("--steps", " 40 "));
        assertEquals("--steps must be at least 1, got 0",
                assertThrows(MdmException.class, () -> TrainCommands.positiveLong("--steps", "0")).getMessage());
        assertEquals("--seed 'x' is not a whole number",
                assertThrows(MdmException.class, () -> TrainCommands.longValue("--seed", "x")).getMessage());
        assertEquals("--n '2.5' is not a whole number",
                assertThrows(MdmException.class, () -> TrainCommands.positiveLong("--n", "2.5")).getMessage());
        assertEquals(true, TrainCommands.bool("--ema", "Yes"));
        assertEquals(false, TrainCommands.bool("--ema", "0"));
        assertEquals("--ema 'maybe' must be true or false",
                assertThrows(MdmException.class, () -> TrainCommands.bool("--ema", "maybe")).getMessage());
        assertEquals(2.5, TrainCommands.guidance("2.5"));
        assertEquals("--guidance 'lots' is not a number",
                assertThrows(MdmException.class, () -> TrainCommands.guidance("lots")).getMessage());
    }

    @Test
    void durationsAreShortAndUnknownOnesADash() {
        assertEquals("-", TrainCommands.duration(0));
        assertEquals("-", TrainCommands.duration(Double.NaN));
        assertEquals("-", TrainCommands.duration(Double.POSITIVE_INFINITY));
        assertEquals("42s", TrainCommands.duration(42.4));
        assertEquals("4m40s", TrainCommands.duration(280));
        assertEquals("2h05m", TrainCommands.duration(7500));
    }

    @Test
    void tablesAlignTheirColumns() {
        assertEquals("JOB        STATE\ntiny-1     running\nshapes-12  done\n",
                Tables.format(List.of(new String[] {"JOB", "STATE"}, new String[] {"tiny-1", "running"},
                        new String[] {"shapes-12", "done"})));
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("all", 0.94);
        scores.put("shape", 0.975);
        assertEquals("all 94%, shape 98%", TrainCommands.scores(scores));
    }

    @Test
    void evalDatasetsComeFromASpecOrANameWithOptions(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("s.yaml"),
                "components: {dataset: {name: shapes, image_size: 64}}\n");
        assertEquals("shapes", EvalCommands.dataset(spec.toString()).name());
        assertEquals(Map.of("image_size", 64), EvalCommands.dataset(spec.toString()).options());
        assertEquals("fashion-mnist", EvalCommands.dataset("fashion-mnist").name());
        assertEquals(Map.of("image_size", 32), EvalCommands.dataset("shapes:{\"image_size\": 32}").options());
        Path none = Files.writeString(dir.resolve("n.yaml"), "components: {backbone: unet}\n");
        assertEquals(none + " has no components.dataset section to measure",
                assertThrows(MdmException.class, () -> EvalCommands.dataset(none.toString())).getMessage());
    }
}
