package mdm.core.io;

import static mdm.core.io.IoFixtures.assertSameBits;
import static mdm.core.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mdm.api.MdmException;
import mdm.core.runtime.EngineRuntime;
import net.razorvine.pickle.Unpickler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The .pth reader builds tensors, storages and ordered dicts only; nothing else is constructed or run. */
class TorchZipSafetyTest {
    static EngineRuntime runtime;
    NDManager manager;
    @TempDir
    Path dir;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @BeforeEach
    void open() {
        manager = runtime.newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** A torch.save-shaped zip whose data.pkl is {@code pickle}. */
    private Path torchFile(String name, byte[] pickle) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.putNextEntry(new ZipEntry("archive/version"));
            zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    /** Protocol-2 opcodes spelled out; {@code text(s)} is a BINUNICODE string. */
    private static byte[] pickle(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        for (Object p : parts) {
            byte[] bytes = p instanceof byte[] b ? b : ((String) p).getBytes(StandardCharsets.ISO_8859_1);
            out.writeBytes(bytes);
        }
        out.write('.');
        return out.toByteArray();
    }

    private static byte[] text(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('X');
        for (int i = 0; i < 4; i++) {
            out.write(utf8.length >> (8 * i) & 0xff);
        }
        out.writeBytes(utf8);
        return out.toByteArray();
    }

    private void assertRefusedInBothModes(Path file, String global) {
        MdmException strict = assertThrows(MdmException.class, () -> StateDictFiles.read(file, manager));
        assertTrue(strict.getMessage().contains("refusing to load global '" + global + "'"), strict.getMessage());
        MdmException lenient = assertThrows(MdmException.class,
                () -> StateDictFiles.readMlMdmCheckpoint(file, manager));
        assertTrue(lenient.getMessage().contains("refusing to load global '" + global + "'"), lenient.getMessage());
    }

    @Test
    void osSystemIsRefusedAndNothingRuns() throws IOException {
        Path marker = dir.resolve("pwned");
        // os.system("touch <marker>")
        Path file = torchFile("os_system.pt", pickle("cos\nsystem\n", text("touch " + marker), "\u0085R"));
        assertRefusedInBothModes(file, "os.system");
        assertFalse(Files.exists(marker));
        // the same through STACK_GLOBAL (protocol 4 style) and through posix.system
        assertRefusedInBothModes(torchFile("stack_global.pt",
                pickle(text("os"), text("system"), "\u0093", text("touch " + marker), "\u0085R")), "os.system");
        assertRefusedInBothModes(torchFile("posix.pt", pickle("cposix\nsystem\n", text("id"), "\u0085R")),
                "posix.system");
        assertFalse(Files.exists(marker));
    }

    @Test
    void builtinsEvalIsRefused() throws IOException {
        Path file = torchFile("eval.pt", pickle("cbuiltins\neval\n(", text("__import__('os').system('id')"), "tR"));
        assertRefusedInBothModes(file, "builtins.eval");
        assertRefusedInBothModes(torchFile("getattr.pt",
                pickle("c__builtin__\ngetattr\n(", text("x"), text("y"), "tR")), "__builtin__.getattr");
    }

    /**
     * Pyrolite would construct a registered class, or a dict for an unknown one, from its static registry; our
     * unpickler never consults it: weights-only mode refuses the class where it is named.
     */
    @Test
    void arbitraryClassesAreNeverConstructed() throws IOException {
        AtomicInteger constructed = new AtomicInteger();
        Unpickler.registerConstructor("evil.module", "Gadget", args -> {
            constructed.incrementAndGet();
            return new Object();
        });
        // evil.module.Gadget.__new__() then BUILD with {'a': 1}, as pickle writes any plain object
        Path gadget = torchFile("gadget.pt", pickle("cevil.module\nGadget\n)\u0081}(", text("a"), "K\u0001ub"));
        MdmException e = assertThrows(MdmException.class, () -> StateDictFiles.read(gadget, manager));
        assertTrue(e.getMessage().contains("refusing to load global 'evil.module.Gadget'")
                && e.getMessage().contains("nothing was constructed"), e.getMessage());
        // checkpoint mode lets the name through as an inert marker: still never constructed, and not a state dict
        e = assertThrows(MdmException.class, () -> StateDictFiles.readMlMdmCheckpoint(gadget, manager));
        assertTrue(e.getMessage().contains("an instance of evil.module.Gadget"), e.getMessage());
        assertEquals(0, constructed.get());

        // a class Pyrolite itself knows (it would build a Calendar) is refused just the same
        Path datetime = torchFile("datetime.pt", pickle("cdatetime\ndatetime\n(", text("x"), "tR"));
        e = assertThrows(MdmException.class, () -> StateDictFiles.read(datetime, manager));
        assertTrue(e.getMessage().contains("'datetime.datetime'"), e.getMessage());
    }

    @Test
    void extensionCodesAndNonCallablesAreRefused() throws IOException {
        MdmException e = assertThrows(MdmException.class,
                () -> StateDictFiles.read(torchFile("ext.pt", pickle("\u0082\u0001")), manager));
        assertTrue(e.getMessage().contains("extension opcode"), e.getMessage());
        // REDUCE on a string: nothing to call
        e = assertThrows(MdmException.class,
                () -> StateDictFiles.read(torchFile("reduce.pt", pickle(text("os.system"), ")R")), manager));
        assertTrue(e.getMessage().contains("not callable"), e.getMessage());
    }

    @Test
    void mlMdmCheckpointYieldsItsStateDictAndListsSkippedClasses() {
        MlMdmCheckpoint c = StateDictFiles.readMlMdmCheckpoint(resource("mlmdm_checkpoint.pt"), manager);
        assertSameBits(Npz.read(resource("mlmdm_checkpoint_expected.npz"), manager), c.stateDict());
        assertEquals(List.of("argparse.Namespace", "models.unet.UNetConfig", "reader.ReaderConfig",
                "diffusion.PredictionType"), c.skippedGlobals());
        Map<String, Object> scalars = new LinkedHashMap<>();
        scalars.put("batch_num", 12000);
        scalars.put("loss", 0.0625);
        scalars.put("best_avg_loss", 0.05);
        scalars.put("exp_avg_loss", 0.055);
        scalars.put("exp_avg_loss_var", 0.001);
        assertEquals(scalars, c.scalars());

        // weights-only mode refuses the same file and says what to use instead
        MdmException e = assertThrows(MdmException.class,
                () -> StateDictFiles.read(resource("mlmdm_checkpoint.pt"), manager));
        assertTrue(e.getMessage().contains("'argparse.Namespace'") && e.getMessage().contains("readMlMdmCheckpoint"),
                e.getMessage());
    }

    @Test
    void checkpointModeReadsPlainStateDictsToo() {
        Map<String, NDArray> plain = StateDictFiles.read(resource("tiny_weights_only.pt"), manager);
        MlMdmCheckpoint c = StateDictFiles.readMlMdmCheckpoint(resource("tiny_weights_only.pt"), manager);
        assertSameBits(plain, c.stateDict());
        assertTrue(c.skippedGlobals().isEmpty());
        MlMdmCheckpoint npz = StateDictFiles.readMlMdmCheckpoint(resource("tiny.npz"), manager);
        assertEquals(9, npz.stateDict().size());
    }
}
