"""Operations endpoints: health and the API documentation page."""
