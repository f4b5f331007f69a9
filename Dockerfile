# The orgpulse worker (and CLI) as a container image.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 orgpulse
WORKDIR /app
COPY pyproject.toml README.md ./
COPY streams ./streams
COPY schemas ./schemas
RUN pip install --no-cache-dir .
USER orgpulse
RUN mkdir -p /home/orgpulse/data
ENV ORGPULSE_WEB_HOST=0.0.0.0 ORGPULSE_DATA_DIR=/home/orgpulse/data
EXPOSE 6066
ENTRYPOINT ["orgpulse"]
CMD ["worker"]
