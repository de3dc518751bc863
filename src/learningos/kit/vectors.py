"""The vector store connection (Qdrant): a local folder embedded, a server in production."""

from __future__ import annotations

from pathlib import Path

from qdrant_client import AsyncQdrantClient


class VectorStore:
    def __init__(self, url: str | None, path: Path, api_key: str | None = None) -> None:
        self.url = url
        self.path = path
        self._api_key = api_key
        self._client: AsyncQdrantClient | None = None

    @property
    def client(self) -> AsyncQdrantClient:
        """Opened on first use: the local mode takes a file lock, so only when needed."""
        if self._client is None:
            if self.url:
                self._client = AsyncQdrantClient(url=self.url, api_key=self._api_key, timeout=10)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._client = AsyncQdrantClient(path=str(self.path))
        return self._client

    async def ping(self) -> None:
        await self.client.get_collections()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
