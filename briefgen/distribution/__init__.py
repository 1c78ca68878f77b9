"""Distribution: email each reader the weekly brief for the themes they follow, exactly once."""
