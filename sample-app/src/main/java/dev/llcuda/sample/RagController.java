package dev.llcuda.sample;

import java.util.List;
import java.util.Objects;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.client.advisor.vectorstore.QuestionAnswerAdvisor;
import org.springframework.ai.chat.prompt.PromptTemplate;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.llcuda.chat.LlcudaChatOptions;

/**
 * {@code POST /api/rag}: a question answered by the chat model through Spring AI's
 * {@link QuestionAnswerAdvisor} over the {@link RagLibrary}; the reply lists the chunks
 * the prompt held.
 */
@RestController
@RequestMapping("/api")
@ConditionalOnProperty("sample.rag.documents")
public class RagController {

	/**
	 * Shorter than the advisor's default, so small-context models keep room for the
	 * chunks and the answer.
	 */
	private static final PromptTemplate TEMPLATE = new PromptTemplate("""
			Answer from this context only.
			{question_answer_context}
			Question: {query}""");

	private final ChatClient chatClient;

	private final QuestionAnswerAdvisor advisor;

	public RagController(ChatClient chatClient, RagLibrary library, RagSettings settings) {
		if (settings.getTopK() < 1) {
			throw new IllegalStateException("sample.rag.top-k must be at least 1, not " + settings.getTopK());
		}
		this.chatClient = chatClient;
		this.advisor = QuestionAnswerAdvisor.builder(library.store())
			.promptTemplate(TEMPLATE)
			.searchRequest(SearchRequest.builder().topK(settings.getTopK()).build())
			.build();
	}

	@PostMapping("/rag")
	public RagApi.Response answer(@RequestBody RagApi.Request request) {
		String question = request.question();
		if (question == null || question.isBlank()) {
			throw new IllegalArgumentException("question must be a non-empty string");
		}
		LlcudaChatOptions.Builder options = LlcudaChatOptions.builder();
		if (request.maxTokens() != null) {
			if (request.maxTokens() < 1) {
				throw new IllegalArgumentException("max_tokens must be at least 1, not " + request.maxTokens());
			}
			options.maxTokens(request.maxTokens());
		}
		ChatClientResponse response = this.chatClient.prompt()
			.user(question)
			.options(options)
			.advisors(this.advisor)
			.call()
			.chatClientResponse();
		@SuppressWarnings("unchecked")
		List<Document> retrieved = (List<Document>) Objects.requireNonNull(
				response.context().get(QuestionAnswerAdvisor.RETRIEVED_DOCUMENTS),
				"the question-answer advisor put no retrieved documents in the context");
		List<RagApi.Source> sources = retrieved.stream().map(RagController::source).toList();
		ChatResponse answer = Objects.requireNonNull(response.chatResponse(), "the chat client returned no answer");
		return new RagApi.Response(OpenAiController.text(answer), sources);
	}

	/** The library stores text chunks, and the vector store scores every match. */
	private static RagApi.Source source(Document document) {
		return new RagApi.Source(String.valueOf(document.getMetadata().get(RagLibrary.SOURCE)),
				Objects.requireNonNull(document.getText(), "a retrieved chunk has no text"),
				Objects.requireNonNull(document.getScore(), "a retrieved chunk has no score"));
	}

}
