package dev.llcuda.sample;

import java.util.Arrays;
import java.util.stream.Stream;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import dev.llcuda.runtime.ModelSet;

/**
 * Makes the model set wait for {@link DemoEmbeddingModel} and {@link DemoModel}, which
 * write the files it opens (the embedding model) and measures (both), whatever order the
 * beans that use it are created in.
 */
@Component
@ConditionalOnProperty(name = "sample.demo.enabled", havingValue = "true")
public class DemoFilesFirst implements BeanFactoryPostProcessor {

	static final String DEMO_EMBEDDING_MODEL = "demoEmbeddingModel";

	static final String DEMO_MODEL = "demoModel";

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		for (String name : beanFactory.getBeanNamesForType(ModelSet.class, true, false)) {
			BeanDefinition definition = beanFactory.getBeanDefinition(name);
			String[] dependsOn = definition.getDependsOn() != null ? definition.getDependsOn() : new String[0];
			definition.setDependsOn(Stream.concat(Arrays.stream(dependsOn), Stream.of(DEMO_EMBEDDING_MODEL, DEMO_MODEL))
				.distinct()
				.toArray(String[]::new));
		}
	}

}
