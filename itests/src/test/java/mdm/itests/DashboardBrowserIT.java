package mdm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bootDelegationPackages;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import javax.inject.Inject;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.osgi.framework.BundleContext;

/**
 * The dashboard in a real browser: Debian's chromium, driven through chromedriver by Selenium,
 * against the real runtime. It trains a tiny model from a pasted spec and watches its progress and
 * first sample grid arrive, generates from the form (and sees the form refuse n = 0), and stops a
 * second job. A screenshot of each step goes to target/screenshots/. Without chromium and
 * chromedriver (apt-get install chromium chromium-driver, as .ci/run does) it says so and skips.
 *
 * <p>Selenium runs in the test's own JVM but is loaded from the test class path, not from a
 * bundle: the framework delegates {@code org.openqa.selenium} to the application class loader.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DashboardBrowserIT {
    static final Path CHROMIUM = Path.of(System.getProperty("mdm.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("mdm.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of(System.getProperty("mdm.itest.screenshots", "target/screenshots")).toAbsolutePath();

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return OptionUtils.combine(MdmRuntime.options(),
                frameworkProperty("osgi.parentClassloader").value("app"),
                bootDelegationPackages("org.openqa.selenium", "org.openqa.selenium.*"),
                CoreOptions.systemProperty("mdm.itest.screenshots").value(SCREENSHOTS.toString()));
    }

    @Test
    public void trainWatchGenerateAndStopInTheBrowser() throws Exception {
        Assume.assumeTrue("skipped: the browser test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", "
                + CHROMEDRIVER + "): apt-get install chromium chromium-driver",
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER));
        Web web = Web.connect(context);
        Files.createDirectories(SCREENSHOTS);
        // Selenium finds its HTTP client through ServiceLoader on the context class loader
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ChromeDriver.class.getClassLoader());
        WebDriver driver = null;
        try {
            driver = browser();
            run(driver, web.base);
        } finally {
            if (driver != null) {
                driver.quit();
            }
            thread.setContextClassLoader(previous);
        }
    }

    private static WebDriver browser() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // as root on a closed network: no sandbox, and none of Chromium's own connections
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1000",
                "--user-data-dir=" + Files.createTempDirectory("mdm-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private void run(WebDriver driver, String base) throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(300), Duration.ofMillis(200));
        JavascriptExecutor js = (JavascriptExecutor) driver;

        // Train: a spec that does not validate is refused inline, with the trainer's message
        driver.get(base + "/#/train");
        WebElement text = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("spec-text")));
        wait.until(d -> new Select(d.findElement(By.id("spec-select"))).getOptions().size() > 1);
        String tiny = Files.readString(Itest.RESOURCES.resolve("tiny-nested.yaml"))
                .replace("training: {batch_size: 4, checkpoint_every: 3, log_every: 1}",
                        "training: {batch_size: 4, checkpoint_every: 8, sample_every: 4, log_every: 1}");
        js.executeScript("arguments[0].value = arguments[1]", text, tiny.replace("backbone: nested_unet", "backbone: nestd_unet"));
        driver.findElement(By.id("validate-button")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("train-error")));
        wait.until(d -> !error.getText().isEmpty());
        assertTrue(error.getText(), error.getText().contains("nested_unet"));
        shot(driver, "1-train-invalid");

        // a tiny training: progress moves, a sample grid appears, curves fill
        js.executeScript("arguments[0].value = arguments[1]", text, tiny);
        driver.findElement(By.id("train-steps")).sendKeys("16");
        driver.findElement(By.id("train-output")).sendKeys("runs/browser-tiny");
        driver.findElement(By.id("start-button")).click();
        wait.until(ExpectedConditions.urlContains("#/jobs/"));
        WebElement step = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("job-step")));
        wait.until(d -> step.getText().matches("([1-9]|1[0-5]) / 16.*")); // under way, not yet done
        String seen = step.getText();
        wait.until(d -> !step.getText().equals(seen));
        wait.until(d -> (Boolean) js.executeScript("const i = document.querySelector('#samples img.sample');"
                + " return i !== null && i.complete && i.naturalWidth > 0;"));
        wait.until(d -> Integer.parseInt(d.findElement(By.id("loss-chart")).getAttribute("data-points")) >= 2);
        shot(driver, "2-job-running");
        wait.until(d -> d.findElement(By.id("job-state")).getText().startsWith("completed"));
        wait.until(d -> d.findElements(By.cssSelector("#checkpoints li a")).size() >= 2);
        wait.until(d -> Integer.parseInt(d.findElement(By.id("eval-chart")).getAttribute("data-points")) > 0);
        shot(driver, "3-job-completed");

        // Generate from its last checkpoint: every image at every resolution, and the time it took
        driver.get(base + "/#/generate");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#gen-checkpoint option")));
        Select checkpoint = new Select(driver.findElement(By.id("gen-checkpoint")));
        assertTrue(checkpoint.getFirstSelectedOption().getText(), checkpoint.getFirstSelectedOption().getText()
                .startsWith("runs/browser-tiny · step 16"));
        driver.findElement(By.id("gen-labels")).sendKeys("red, blue");
        WebElement n = driver.findElement(By.id("gen-n"));
        n.clear();
        n.sendKeys("0");
        driver.findElement(By.id("generate-button")).click();
        WebElement genError = driver.findElement(By.id("gen-error"));
        wait.until(d -> genError.getText().contains("n must be from 1 to 64"));
        n.clear();
        n.sendKeys("4");
        driver.findElement(By.id("gen-steps")).sendKeys("3");
        driver.findElement(By.id("generate-button")).click();
        WebElement time = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("gen-time")));
        assertTrue(time.getText(), time.getText().matches("4 images in \\d+\\.\\d\\d s.*"));
        assertTrue(genError.getText().isEmpty());
        List<WebElement> rows = driver.findElements(By.cssSelector("#gen-images tr"));
        assertEquals(4, rows.size());
        assertEquals(2, rows.get(0).findElements(By.cssSelector("img.level")).size());
        assertEquals("blue", rows.get(1).findElement(By.tagName("td")).getText());
        wait.until(d -> (Boolean) js.executeScript("return [...document.querySelectorAll('#gen-result img')]"
                + ".every(i => i.complete && i.naturalWidth > 0);"));
        shot(driver, "4-generate");

        // a long job, stopped from its page: it writes a checkpoint first
        driver.get(base + "/#/train");
        WebElement text2 = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("spec-text")));
        js.executeScript("arguments[0].value = arguments[1]", text2, tiny);
        driver.findElement(By.id("train-steps")).sendKeys("100000");
        driver.findElement(By.id("train-output")).sendKeys("runs/browser-stop");
        driver.findElement(By.id("start-button")).click();
        wait.until(ExpectedConditions.urlContains("#/jobs/"));
        WebElement step2 = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("job-step")));
        wait.until(d -> step2.getText().matches("[1-9]\\d* / 100000.*"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("stop-button"))).click();
        wait.until(d -> d.findElement(By.id("job-state")).getText().startsWith("stopped"));
        wait.until(d -> !d.findElements(By.cssSelector("#checkpoints li a")).isEmpty());
        assertTrue(driver.findElement(By.id("job-state")).getText().contains("stopped by the user"));
        shot(driver, "5-job-stopped");

        // the other pages
        driver.get(base + "/#/components");
        wait.until(d -> d.findElements(By.cssSelector("#components tr")).size() > 10);
        // the features table fills after the components (a second request): wait for it, not just the components
        wait.until(d -> d.findElement(By.id("features")).getText().contains("mdm-web"));
        shot(driver, "6-components");
        driver.get(base + "/#/jobs");
        wait.until(d -> d.findElements(By.cssSelector("#jobs tr[data-job]")).size() == 2);
        shot(driver, "7-jobs");
        driver.get(base + "/#/studies");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("no-studies")));

        // a study's report (as a study runner would write it) with its plot
        Path study = Files.createDirectories(MdmRuntime.WORK.resolve("studies/demo"));
        Files.writeString(study.resolve("report.md"), "# Demo study\n\n| arm | loss |\n|---|---|\n| mdm | 0.12 |\n\n"
                + "![loss](loss.png)\n");
        Files.copy(Itest.SAMPLES.resolve("results/shapes-class-loss.png"), study.resolve("loss.png"));
        driver.navigate().refresh();
        wait.until(d -> !d.findElements(By.cssSelector("[data-study=demo] .report h1")).isEmpty());
        assertEquals("Demo study", driver.findElement(By.cssSelector("[data-study=demo] .report h1")).getText());
        assertEquals("mdm", driver.findElement(By.cssSelector("[data-study=demo] .report td")).getText());
        wait.until(d -> (Boolean) js.executeScript("return [...document.querySelectorAll('[data-study=demo] img')]"
                + ".every(i => i.complete && i.naturalWidth > 0);"));
        shot(driver, "8-studies");
    }

    private static void shot(WebDriver driver, String name) throws Exception {
        File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
