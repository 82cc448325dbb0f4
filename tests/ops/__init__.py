"""Operations and fault tests: real uvicorn workers on real PostgreSQL and Redis."""
