from tweetflow.cli.main import app

app()
