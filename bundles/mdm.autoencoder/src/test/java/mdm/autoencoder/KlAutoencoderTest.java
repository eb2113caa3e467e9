package mdm.autoencoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.config.Json;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The autoencoder's shapes, its objective against the closed-form KL, and its configuration's defaults and errors. */
class KlAutoencoderTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void defaultsAreLdms() {
        AutoencoderConfig c = AutoencoderConfig.parse(Json.empty(), "latent.autoencoder");
        assertEquals(4, c.factor());
        assertEquals(4, c.latentChannels());
        assertEquals("l1", c.loss());
        assertEquals(1e-6, c.klWeight());
        assertEquals(List.of(32, 64, 128), c.channels());
    }

    @Test
    void encodesToAFactorSmallerLatentAndDecodesBack() {
        AutoencoderConfig c = AutoencoderConfig.parse(Json.parse("{channels: [8, 16, 16], groups: 8}"), "ae");
        try (NDManager m = runtime.newManager(); KlAutoencoder ae = new KlAutoencoder(c, m, 3)) {
            NDArray x = new HostRandom(1).normal(new Shape(2, 3, 32, 32), m).tanh();
            NDArray[] post = ae.posterior(x);
            assertEquals(new Shape(2, 4, 8, 8), post[0].getShape());
            assertEquals(new Shape(2, 4, 8, 8), post[1].getShape());
            assertEquals(new Shape(2, 3, 32, 32), ae.decode(ae.sample(post, new HostRandom(2))).getShape());
            assertTrue(ae.parameters().keySet().stream().allMatch(k -> k.startsWith("encoder.") || k.startsWith("decoder.")));

            // the objective: reconstruction per element + kl_weight · ½ Σ (μ² + σ² − 1 − log σ²) / image elements
            Map<String, NDArray> loss = ae.loss(x, new HostRandom(2));
            float[] mu = post[0].toFloatArray();
            float[] lv = post[1].toFloatArray();
            double kl = 0;
            for (int i = 0; i < mu.length; i++) {
                kl += 0.5 * (mu[i] * mu[i] + Math.exp(lv[i]) - 1 - lv[i]);
            }
            kl /= 2 * 3 * 32 * 32;
            assertEquals(kl, loss.get("kl").getFloat(), 1e-5 * Math.max(1, kl));
            NDArray recon = ae.decode(ae.sample(post, new HostRandom(2)));
            double l1 = recon.sub(x).abs().mean().getFloat();
            assertEquals(l1, loss.get("reconstruction").getFloat(), 1e-5);
            assertEquals(l1 + 1e-6 * kl, loss.get("loss").getFloat(), 1e-5);
        }
    }

    @Test
    void badConfigurationsNameTheFix() {
        assertMessage("{factor: 3}", "use a power of two");
        assertMessage("{factor: 4, channels: [8, 8]}", "needs 3");
        assertMessage("{channels: [12, 16, 16]}", "multiples of groups");
        assertMessage("{loss: l3}", "use l1 or l2");
        assertMessage("{kl_weight: -1}", "at least 0");
        assertMessage("{latent_chanels: 4}", "did you mean 'latent_channels'");
    }

    private static void assertMessage(String yaml, String part) {
        MdmException e = assertThrows(MdmException.class, () -> AutoencoderConfig.parse(Json.parse(yaml), "ae"));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
